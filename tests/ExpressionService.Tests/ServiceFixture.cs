namespace ExpressionService.Tests;

/// <summary>
/// One host with its model loaded, shared by the tests of a class that only send it requests:
/// loading and warming up the model is the expensive part of a host.
/// </summary>
public class ServiceFixture : IAsyncLifetime
{
    public ServiceFixture()
        : this(_ => { })
    {
    }

    /// <param name="configure">Overrides the host's settings before it starts.</param>
    protected ServiceFixture(Action<ServiceFactory> configure)
    {
        configure(Factory);
    }

    public ServiceFactory Factory { get; } = new();

    /// <summary>A client of the ready host.</summary>
    public HttpClient Client { get; private set; } = null!;

    public async Task InitializeAsync() => Client = await Factory.CreateReadyClientAsync();

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Factory.DisposeAsync();
    }
}
