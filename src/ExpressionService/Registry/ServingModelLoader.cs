using System.Diagnostics;
using ExpressionNet.Checkpoints;
using ExpressionNet.Training;
using ExpressionService.Classification;
using Microsoft.Extensions.Options;
using static TorchSharp.torch;

namespace ExpressionService.Registry;

/// <summary>
/// Loads a registry version for serving: verifies its weights, puts it on the serving device and
/// runs a full-size batch through it once, so that the first real request does not pay for the
/// allocations and kernel selection of a cold model.
/// </summary>
public sealed partial class ServingModelLoader(
    ModelRegistry registry, IOptions<BatchingOptions> batching, ILogger<ServingModelLoader> logger)
{
    private readonly Device _device = Devices.Resolve(batching.Value.Device);
    private readonly string _deviceName = batching.Value.Device;

    /// <summary>Loads and warms up a version.</summary>
    /// <exception cref="CheckpointException">The version is missing, or its files do not verify.</exception>
    public ServingModel Load(ModelVersionRef version)
    {
        if (!registry.Exists(version.Model, version.Version))
        {
            throw new CheckpointException($"The registry has no version {version.Version} of model '{version.Model}'.");
        }

        var started = Stopwatch.GetTimestamp();
        var model = ModelCheckpoint.Load(registry.VersionFolder(version.Model, version.Version), _device);
        try
        {
            var preprocessing = model.Preprocessing;
            using (NewDisposeScope())
            {
                var blank = zeros(
                    [batching.Value.MaxBatchSize, preprocessing.Channels, preprocessing.InputSize, preprocessing.InputSize],
                    ScalarType.Byte);
                model.Probabilities(blank);
            }
        }
        catch
        {
            model.Dispose();
            throw;
        }

        var elapsed = Stopwatch.GetElapsedTime(started);
        LogLoaded(version.Model, version.Version, _deviceName, elapsed.TotalMilliseconds);
        return new ServingModel(version.Model, version.Version, model);
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information,
        Message = "Loaded model {Model} v{Version} on {Device} and warmed it up in {Milliseconds:0} ms")]
    private partial void LogLoaded(string model, int version, string device, double milliseconds);
}
