using ExpressionNet.Checkpoints;
using ExpressionService.Classification;

namespace ExpressionService.Registry;

/// <summary>The outcome of a promotion or rollback.</summary>
/// <param name="Serving">The version now in service.</param>
/// <param name="Aliases">The model's aliases afterwards.</param>
public sealed record PromotionResult(ModelVersionRef Serving, ModelAliases Aliases);

/// <summary>
/// Changes the version in service without a failed request: the new version is loaded, verified
/// and warmed up first; only then do the aliases change and the model host swap to it. Requests
/// already holding the old version finish on it. A version that fails to load is refused and the
/// old one keeps serving.
/// </summary>
public sealed partial class ModelPromotion(
    ModelRegistry registry, ServingModelLoader loader, ModelHost host, ILogger<ModelPromotion> logger) : IDisposable
{
    // One promotion at a time: two racing ones could leave the aliases and the host disagreeing.
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Puts a version in service.</summary>
    /// <exception cref="CheckpointException">The version does not exist or does not load.</exception>
    public async Task<PromotionResult> PromoteAsync(ModelVersionRef version, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var model = await Task.Run(() => loader.Load(version), cancellationToken);
            var aliases = registry.Promote(version);
            host.Swap(model);
            LogPromoted(version.Model, version.Version);
            return new PromotionResult(version, aliases.For(version.Model));
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Puts a model's previous version back in service; null when it has none.</summary>
    /// <exception cref="CheckpointException">The previous version does not load.</exception>
    public async Task<PromotionResult?> RollbackAsync(string model, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            if (registry.Aliases().For(model).Previous is not { } previous)
            {
                return null;
            }

            var target = new ModelVersionRef(model, previous);
            var loaded = await Task.Run(() => loader.Load(target), cancellationToken);
            var aliases = registry.Rollback(model)!;
            host.Swap(loaded);
            LogRolledBack(model, previous);
            return new PromotionResult(target, aliases.For(model));
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Serves the registry's production version if the host serves another: a promotion made by
    /// another replica sharing the registry. Returns the version now served, or null when nothing changed.
    /// </summary>
    /// <exception cref="CheckpointException">The registry's production version does not load.</exception>
    public async Task<ModelVersionRef?> FollowRegistryAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var production = registry.Aliases().Production;
            var current = host.Current;
            if (production is null || (current is not null && current.Name == production.Model && current.Version == production.Version))
            {
                return null;
            }

            host.Swap(await Task.Run(() => loader.Load(production), cancellationToken));
            LogFollowed(production.Model, production.Version);
            return production;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    [LoggerMessage(EventId = 1103, Level = LogLevel.Information,
        Message = "Now serving the registry's production version, {Model} v{Version}")]
    private partial void LogFollowed(string model, int version);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "Promoted {Model} v{Version} to production")]
    private partial void LogPromoted(string model, int version);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Information, Message = "Rolled {Model} back to v{Version}")]
    private partial void LogRolledBack(string model, int version);
}
