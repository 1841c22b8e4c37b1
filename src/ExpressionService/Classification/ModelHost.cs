namespace ExpressionService.Classification;

/// <summary>
/// Holds the model version that new /classify requests use. Swapping it is atomic: requests that
/// already hold the old version keep it until they finish.
/// </summary>
public sealed class ModelHost : IDisposable
{
    private ServingModel? _current;

    /// <summary>The version in service, if any (for display; use <see cref="TryAcquire"/> to use it).</summary>
    public ServingModel? Current => Volatile.Read(ref _current);

    /// <summary>Takes a reference to the version in service; null when no model is loaded.</summary>
    public ServingModel? TryAcquire()
    {
        while (true)
        {
            var model = Volatile.Read(ref _current);
            if (model is null)
            {
                return null;
            }

            if (model.TryAcquire())
            {
                return model;
            }

            // Lost a race with a swap that released the last reference; the new version is in place.
        }
    }

    /// <summary>Puts a loaded, warmed-up version in service and lets go of the old one.</summary>
    public void Swap(ServingModel model)
    {
        var previous = Interlocked.Exchange(ref _current, model);
        previous?.Release();
    }

    public void Dispose() => Interlocked.Exchange(ref _current, null)?.Release();
}
