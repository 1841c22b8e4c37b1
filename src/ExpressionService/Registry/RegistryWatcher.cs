using ExpressionNet.Checkpoints;
using Microsoft.Extensions.Options;

namespace ExpressionService.Registry;

/// <summary>
/// Keeps this instance serving the registry's production version when several instances share
/// one registry: a promotion or rollback made by another replica only changes aliases.json, which
/// this watcher reads every <see cref="RegistryOptions.WatchInterval"/>.
/// </summary>
public sealed partial class RegistryWatcher(
    ModelPromotion promotion, IOptions<RegistryOptions> options, ILogger<RegistryWatcher> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.WatchInterval);
        string? refusal = null;
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await promotion.FollowRegistryAsync(stoppingToken);
                    refusal = null;
                }
                catch (Exception e) when (e is CheckpointException or InvalidDataException or IOException && e.Message != refusal)
                {
                    // Said once per refusal, not at every tick.
                    LogRefused(e, e.Message);
                    refusal = e.Message;
                }
                catch (Exception e) when (e is CheckpointException or InvalidDataException or IOException)
                {
                    // Already reported.
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Normal shutdown.
        }
    }

    [LoggerMessage(EventId = 1104, Level = LogLevel.Error,
        Message = "The registry's production version cannot be served; the current model keeps serving: {Reason}")]
    private partial void LogRefused(Exception exception, string reason);
}
