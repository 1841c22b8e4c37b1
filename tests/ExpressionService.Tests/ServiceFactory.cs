using System.Globalization;
using System.Net;
using ExpressionService.Classification;
using ExpressionService.Registry;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ExpressionService.Tests;

/// <summary>
/// Hosts the service (in memory, or over HTTP) on a fresh, empty registry folder of its own, which
/// the service seeds with the shipped default model, with settings a test may override. The folder
/// is deleted when the factory is disposed.
/// </summary>
public sealed class ServiceFactory : WebApplicationFactory<Program>
{
    /// <summary>How long loading and warming up the model may take on a busy machine.</summary>
    public static readonly TimeSpan StartupTimeout = TimeSpan.FromSeconds(60);

    private readonly Dictionary<string, string?> _settings = [];

    public ServiceFactory()
    {
        RegistryRoot = Path.Combine(Path.GetTempPath(), "expressionservice-tests", Guid.NewGuid().ToString("N"));
        _settings["Registry:Root"] = RegistryRoot;

        // Warnings and errors only: request and start-up lines would bury what a failing test printed.
        _settings["Serilog:MinimumLevel:Default"] = "Warning";
    }

    /// <summary>The shipped default model, which the build copies beside the tests as beside the service.</summary>
    public static string SeedModel { get; } = Path.Combine(AppContext.BaseDirectory, "models", "default");

    /// <summary>The registry folder of this host; it exists once the host has started.</summary>
    public string RegistryRoot { get; }

    /// <summary>The labels of the model in service, in score order.</summary>
    public IReadOnlyList<string> Labels =>
        Services.GetRequiredService<ModelHost>().Current?.Model.Labels
        ?? throw new InvalidOperationException("No model is in service.");

    /// <summary>Overrides a setting ("Section:Key"), before the host starts.</summary>
    public ServiceFactory With(string key, object value)
    {
        _settings[key] = Convert.ToString(value, CultureInfo.InvariantCulture);
        return this;
    }

    /// <summary>
    /// Serves over real HTTP on a free local port (Kestrel) instead of in memory, so that the server's
    /// own limits and chunked request bodies behave as in production; call before the host starts.
    /// </summary>
    public ServiceFactory OverHttp()
    {
        UseKestrel(port: 0);
        return this;
    }

    /// <summary>Starts the host if needed and returns a client once /health/ready answers 200.</summary>
    /// <exception cref="TimeoutException">The model did not come into service.</exception>
    public async Task<HttpClient> CreateReadyClientAsync()
    {
        var client = CreateClient();
        try
        {
            await Poll.UntilAsync(
                async () =>
                {
                    // Read before asking: a start-up that had finished by then will not put a model in service later.
                    var finished = StartupFinished;
                    using var response = await client.GetAsync("/health/ready");
                    if (response.StatusCode != HttpStatusCode.OK && finished)
                    {
                        throw new InvalidOperationException("The start-up finished with no model in service.");
                    }

                    return response.StatusCode == HttpStatusCode.OK;
                },
                StartupTimeout,
                "/health/ready to answer 200");
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    /// <summary>Starts the host if needed and waits until its start-up has served a model or given up.</summary>
    public Task WaitForStartupAsync()
    {
        StartServer();
        return Poll.UntilAsync(() => StartupFinished, StartupTimeout, "the registry start-up to finish");
    }

    private bool StartupFinished =>
        Services.GetServices<IHostedService>().OfType<RegistryStartup>().Single().Finished;

    protected override void ConfigureWebHost(IWebHostBuilder builder) =>
        builder.ConfigureAppConfiguration(configuration => configuration.AddInMemoryCollection(_settings));

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing && Directory.Exists(RegistryRoot))
        {
            Directory.Delete(RegistryRoot, recursive: true);
        }
    }
}
