using System.Collections.Concurrent;
using ExpressionNet.Checkpoints;
using ExpressionNet.Data;
using ExpressionNet.Training;
using ExpressionService.Classification;
using ExpressionService.Registry;
using Microsoft.Extensions.Options;
using static TorchSharp.torch;

namespace ExpressionService.Jobs;

/// <summary>
/// Runs queued training jobs in submission order, at most <see cref="JobsOptions.MaxConcurrentJobs"/>
/// at once, each on a thread of its own (TorchSharp work is synchronous and thread-bound) with a
/// bounded number of tensor threads, then publishes the model to the registry and, when asked,
/// promotes it. Jobs a previous process left running are resumed from their last finished epoch.
/// </summary>
public sealed partial class JobRunner(
    JobStore store,
    JobEvents events,
    JobValidator validator,
    JobSignal signal,
    ModelRegistry registry,
    ModelPromotion promotion,
    InferenceQueue inference,
    IOptions<JobsOptions> options,
    IHostEnvironment environment,
    ILogger<JobRunner> logger) : BackgroundService
{
    private readonly JobsOptions _options = options.Value;
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _running = new();

    /// <summary>Stops a running job at its next step; false when this runner is not running it.</summary>
    public bool Cancel(string jobId)
    {
        if (_running.TryGetValue(jobId, out var cancellation))
        {
            cancellation.Cancel();
            return true;
        }

        return false;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        RecoverUnfinished();
        using var slots = new SemaphoreSlim(_options.MaxConcurrentJobs);
        var running = new List<Task>();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await slots.WaitAsync(stoppingToken);
                var job = store.ClaimNext();
                if (job is null)
                {
                    slots.Release();
                    await signal.WaitAsync(TimeSpan.FromSeconds(5), stoppingToken);
                    continue;
                }

                running.RemoveAll(t => t.IsCompleted);
                running.Add(Task.Factory.StartNew(
                    () =>
                    {
                        try
                        {
                            Run(job, stoppingToken);
                        }
                        finally
                        {
                            slots.Release();
                        }
                    },
                    CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down; running jobs see the same token and put themselves back in the queue.
        }

        await Task.WhenAll(running);
    }

    private void RecoverUnfinished()
    {
        foreach (var job in store.Unfinished())
        {
            if (job.State == JobState.Cancelling)
            {
                store.SetState(job.Id, JobState.Cancelled);
                continue;
            }

            if (store.Runs(job.Id) > _options.MaxResumes)
            {
                store.AddLog(job.Id, "error", "The job was interrupted too often; giving up.");
                store.SetState(job.Id, JobState.Failed, "interrupted");
                continue;
            }

            store.AddLog(job.Id, "warning", "The service stopped while the job ran; it resumes from its last finished epoch.");
            store.SetState(job.Id, JobState.Queued);
            LogRequeued(job.Id);
        }
    }

    private void Run(Job job, CancellationToken stoppingToken)
    {
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["JobId"] = job.Id });
        using var cancellation = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        _running[job.Id] = cancellation;
        var recorder = new JobRecorder(job.Id, store, events, inference, cancellation);

        // Training keeps to its share of the cores; serving keeps the rest.
        set_num_threads(_options.EffectiveTrainingThreads);
        LogStarted(job.Id, job.Spec.ModelName);
        events.Publish(job.Id, new JobEvent("state", JobState.Running));

        // A cancel that arrived between claiming the job and registering it must still count.
        if (store.Get(job.Id)?.State == JobState.Cancelling)
        {
            cancellation.Cancel();
        }

        try
        {
            var folder = Path.Combine(environment.ContentRootPath, _options.WorkRoot, job.Id);
            var output = Path.Combine(folder, "model");
            var pipeline = new TrainingPipeline(job.Spec.Training, recorder);
            var outcome = pipeline.Train(
                validator.DatasetSpec(job.Spec.Dataset), job.Spec.ModelName, output,
                Path.Combine(folder, "checkpoints"), cancellation.Token);
            if (outcome.Skipped.Count > 0)
            {
                recorder.Log("warning", $"Skipped {outcome.Skipped.Count} unreadable or faceless images.");
            }

            recorder.Stage(JobStage.Publishing);
            var version = new ModelVersionRef(job.Spec.ModelName, registry.Publish(job.Spec.ModelName, output));
            recorder.Log($"Published {version.Model} v{version.Version}.");
            var promoted = job.Spec.Promote && Promote(version, recorder);
            store.SetPublished(job.Id, version, promoted);
            Finish(job.Id, JobState.Succeeded);
            LogSucceeded(job.Id, version.Model, version.Version);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            recorder.Log("warning", "The service is stopping; the job resumes from its last finished epoch when it starts again.");
            store.SetState(job.Id, JobState.Queued);
        }
        catch (OperationCanceledException)
        {
            recorder.Log("Cancelled; the last finished epoch's checkpoint is kept.");
            Finish(job.Id, JobState.Cancelled);
        }
        catch (Exception e) when (e is DatasetException or CheckpointException or ArgumentException or TrainingDivergedException
                                      or System.ComponentModel.DataAnnotations.ValidationException or IOException)
        {
            recorder.Log("error", e.Message);
            Finish(job.Id, JobState.Failed, e.Message);
        }
        catch (Exception e)
        {
            LogCrashed(e, job.Id);
            recorder.Log("error", $"Internal error: {e.Message}");
            Finish(job.Id, JobState.Failed, $"internal error: {e.Message}");
        }
        finally
        {
            _running.TryRemove(job.Id, out _);
        }
    }

    private bool Promote(ModelVersionRef version, JobRecorder recorder)
    {
        try
        {
            promotion.PromoteAsync(version, CancellationToken.None).GetAwaiter().GetResult();
            recorder.Log($"Promoted {version.Model} v{version.Version} to production.");
            return true;
        }
        catch (CheckpointException e)
        {
            recorder.Log("error", $"The new version was published but not promoted: {e.Message}");
            return false;
        }
    }

    private void Finish(string jobId, JobState state, string? failure = null)
    {
        store.SetState(jobId, state, failure);
        events.Publish(jobId, new JobEvent("state", state, Message: failure));
    }

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Job {JobId} started: training {Model}")]
    private partial void LogStarted(string jobId, string model);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "Job {JobId} succeeded: published {Model} v{Version}")]
    private partial void LogSucceeded(string jobId, string model, int version);

    [LoggerMessage(EventId = 3003, Level = LogLevel.Error, Message = "Job {JobId} failed with an unexpected error")]
    private partial void LogCrashed(Exception exception, string jobId);

    [LoggerMessage(EventId = 3004, Level = LogLevel.Warning, Message = "Job {JobId} was running when the service stopped; queued to resume")]
    private partial void LogRequeued(string jobId);
}

/// <summary>Wakes the job runner when a job is submitted.</summary>
public sealed class JobSignal : IDisposable
{
    private readonly SemaphoreSlim _signal = new(0);

    public void Notify()
    {
        // Several submissions while the runner sleeps need only one wake-up.
        if (_signal.CurrentCount == 0)
        {
            _signal.Release();
        }
    }

    public async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        await _signal.WaitAsync(timeout, cancellationToken);

    public void Dispose() => _signal.Dispose();
}
