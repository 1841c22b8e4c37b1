using System.Text.Json.Serialization;

namespace ExpressionNet.Training;

/// <summary>The phases of a training run, in order.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<TrainingStage>))]
public enum TrainingStage
{
    /// <summary>Reading and cropping the images.</summary>
    LoadingData,

    /// <summary>Fine-tuning the face net on the expression labels.</summary>
    FineTuningFaceNet,

    /// <summary>Stage 1: ExpNet's convolutions regress onto the face net's response.</summary>
    Stage1,

    /// <summary>Stage 2: the whole ExpNet learns the labels.</summary>
    Stage2,

    /// <summary>Measuring the trained model on held-out images.</summary>
    Evaluating,
}

/// <summary>One optimisation step finished.</summary>
/// <param name="Stage">The stage the step belongs to.</param>
/// <param name="Epoch">One-based epoch within the stage.</param>
/// <param name="Epochs">Epochs the stage runs at most.</param>
/// <param name="Step">One-based step within the epoch.</param>
/// <param name="Steps">Steps per epoch.</param>
/// <param name="Loss">The step's training loss.</param>
/// <param name="FractionDone">Share of all steps of the run done so far, 0..1.</param>
/// <param name="Elapsed">Time since the run started.</param>
/// <param name="Remaining">Estimated time to the end of the run, once it can be estimated.</param>
public sealed record TrainingStep(
    TrainingStage Stage, int Epoch, int Epochs, int Step, int Steps, double Loss,
    double FractionDone, TimeSpan Elapsed, TimeSpan? Remaining);

/// <summary>One epoch finished, with its measurements.</summary>
/// <param name="Stage">The stage the epoch belongs to.</param>
/// <param name="Epoch">One-based epoch within the stage.</param>
/// <param name="TrainLoss">Mean training loss over the epoch.</param>
/// <param name="TrainAccuracy">Training accuracy over the epoch's augmented batches (null in stage 1).</param>
/// <param name="ValidationLoss">Loss on the validation images (null without validation images).</param>
/// <param name="ValidationAccuracy">Accuracy on the validation images (null in stage 1 or without them).</param>
/// <param name="LearningRate">Learning rate at the epoch's end.</param>
/// <param name="Duration">Wall time of the epoch.</param>
public sealed record EpochResult(
    TrainingStage Stage, int Epoch, double TrainLoss, double? TrainAccuracy,
    double? ValidationLoss, double? ValidationAccuracy, double LearningRate, TimeSpan Duration);

/// <summary>
/// Receives a training run's progress. Calls come on the training thread, between steps, so they
/// must return quickly; the default implementations do nothing.
/// </summary>
public interface ITrainingObserver
{
    /// <summary>A stage (or phase) begins.</summary>
    void StageStarted(TrainingStage stage) { }

    /// <summary>A step finished.</summary>
    void StepCompleted(TrainingStep progress) { }

    /// <summary>An epoch finished.</summary>
    void EpochCompleted(EpochResult result) { }

    /// <summary>A message for the run's log.</summary>
    void Log(string message) { }
}
