using ExpressionNet.Checkpoints;
using ExpressionNet.Detection;
using Microsoft.Extensions.Options;

namespace ExpressionService.Registry;

/// <summary>
/// Puts the registry's production version in service when the host starts, seeding an empty
/// registry with the shipped default model first. Runs in the background so that liveness answers
/// at once; readiness follows the model. A model that fails to load leaves the service not ready.
/// </summary>
public sealed partial class RegistryStartup(
    ModelRegistry registry,
    ModelPromotion promotion,
    IServiceProvider services,
    IOptions<RegistryOptions> options,
    ILogger<RegistryStartup> logger) : BackgroundService
{
    // Copying a version into the registry takes seconds; an incoming folder this old is debris.
    private static readonly TimeSpan AbandonedPublication = TimeSpan.FromMinutes(30);

    /// <summary>Set when startup has finished, whether or not a model is in service.</summary>
    public bool Finished { get; private set; }

    /// <summary>Why no model is in service, when startup could not put one there.</summary>
    public string? Failure { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Leave the host's start-up path before the (blocking) load and warm-up.
        await Task.Yield();
        LoadFaceDetector();
        try
        {
            registry.RemoveIncomplete(AbandonedPublication);
            Seed();

            var production = registry.Aliases().Production;
            if (production is null)
            {
                Failure = "The registry has no production model.";
                LogNoProduction(registry.Root);
                return;
            }

            await promotion.FollowRegistryAsync(stoppingToken);
            LogServing(production.Model, production.Version);
        }
        catch (Exception e)
            when (e is CheckpointException or IOException or InvalidDataException or UnauthorizedAccessException)
        {
            Failure = e.Message;
            LogLoadFailed(e, e.Message);
        }
        finally
        {
            Finished = true;
        }
    }

    // Loaded here rather than by the first request, which would otherwise pay for it.
    private void LoadFaceDetector()
    {
        try
        {
            services.GetRequiredService<FaceDetector>();
        }
        catch (Exception e) when (e is FileNotFoundException or InvalidDataException or IOException)
        {
            LogDetectorFailed(e, e.Message);
        }
    }

    private void Seed()
    {
        if (registry.Models().Count > 0 || options.Value.SeedModel is not { } seed)
        {
            return;
        }

        var folder = Path.IsPathRooted(seed) ? seed : Path.Combine(AppContext.BaseDirectory, seed);
        if (!Directory.Exists(folder))
        {
            LogNoSeed(folder);
            return;
        }

        var name = ModelCheckpoint.ReadMetadata(folder).Name;
        name = ModelRegistry.IsValidName(name) ? name : "default";
        var version = registry.Publish(name, folder);
        registry.Promote(new ModelVersionRef(name, version));
        LogSeeded(name, version, folder);
    }

    [LoggerMessage(EventId = 1002, Level = LogLevel.Information, Message = "Serving model {Model} v{Version}")]
    private partial void LogServing(string model, int version);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information,
        Message = "Seeded the empty registry with {Model} v{Version} from {Folder}")]
    private partial void LogSeeded(string model, int version, string folder);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Error,
        Message = "No model is in service: the registry at {Root} has no production version")]
    private partial void LogNoProduction(string root);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Error,
        Message = "No model is in service: the production model failed to load: {Reason}")]
    private partial void LogLoadFailed(Exception exception, string reason);

    [LoggerMessage(EventId = 1007, Level = LogLevel.Error,
        Message = "The face detector failed to load; the service is not ready: {Reason}")]
    private partial void LogDetectorFailed(Exception exception, string reason);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Warning, Message = "The seed model folder {Folder} does not exist")]
    private partial void LogNoSeed(string folder);
}
