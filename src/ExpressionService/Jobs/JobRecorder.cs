using System.Diagnostics;
using ExpressionNet.Training;
using ExpressionService.Classification;

namespace ExpressionService.Jobs;

/// <summary>
/// Hears a running job's training progress and records it: stages and epochs in the store as they
/// happen, step progress at most once a second, everything to the job's live listeners. Between
/// steps it also gives way to serving: while requests wait for the inference worker, the next
/// training step waits (a bounded time, so training always advances).
/// </summary>
internal sealed class JobRecorder(
    string jobId, JobStore store, JobEvents events, InferenceQueue inference, CancellationTokenSource cancellation)
    : ITrainingObserver
{
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxYield = TimeSpan.FromMilliseconds(250);

    private long _lastProgress;

    public void StageStarted(TrainingStage stage) => Stage(ToJobStage(stage));

    public void Stage(JobStage stage)
    {
        store.SetStage(jobId, stage);
        events.Publish(jobId, new JobEvent("state", JobState.Running, stage));
        Log("info", $"Stage: {stage}.");
    }

    public void StepCompleted(TrainingStep progress)
    {
        var snapshot = new JobProgress(
            ToJobStage(progress.Stage), progress.Epoch, progress.Epochs, progress.Step, progress.Steps,
            progress.FractionDone, progress.Remaining, progress.Loss);
        events.Publish(jobId, new JobEvent("progress", Stage: snapshot.Stage, Progress: snapshot));

        var last = Interlocked.Read(ref _lastProgress);
        if (last == 0 || Stopwatch.GetElapsedTime(last) >= ProgressInterval || progress.Step == progress.Steps)
        {
            store.SetProgress(jobId, snapshot);
            Interlocked.Exchange(ref _lastProgress, Stopwatch.GetTimestamp());

            // A cancel may have been asked of another replica, which can only mark it in the store.
            if (store.StateOf(jobId) == JobState.Cancelling)
            {
                cancellation.Cancel();
            }
        }

        GiveWayToServing();
    }

    public void EpochCompleted(EpochResult result)
    {
        store.AddEpoch(jobId, result);
        events.Publish(jobId, new JobEvent("epoch", Stage: ToJobStage(result.Stage), Epoch: result));
        var validation = result.ValidationAccuracy is { } accuracy ? $", validation accuracy {accuracy:P2}" : "";
        Log("info", $"{result.Stage} epoch {result.Epoch}: loss {result.TrainLoss:F4}{validation}.");
    }

    public void Log(string message) => Log("info", message);

    public void Log(string level, string message)
    {
        store.AddLog(jobId, level, message);
        events.Publish(jobId, new JobEvent("log", Message: message));
    }

    private void GiveWayToServing()
    {
        var started = Stopwatch.GetTimestamp();
        while (inference.Depth > 0 && Stopwatch.GetElapsedTime(started) < MaxYield)
        {
            Thread.Sleep(2);
        }
    }

    private static JobStage ToJobStage(TrainingStage stage) => stage switch
    {
        TrainingStage.LoadingData => JobStage.LoadingData,
        TrainingStage.FineTuningFaceNet => JobStage.FineTuningFaceNet,
        TrainingStage.Stage1 => JobStage.Stage1,
        TrainingStage.Stage2 => JobStage.Stage2,
        _ => JobStage.Evaluating,
    };
}
