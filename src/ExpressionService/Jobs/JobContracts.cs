using System.Text.Json.Serialization;
using ExpressionNet.Training;
using ExpressionService.Registry;

namespace ExpressionService.Jobs;

/// <summary>The life of a job.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<JobState>))]
public enum JobState
{
    [JsonStringEnumMemberName("queued")]
    Queued,

    [JsonStringEnumMemberName("running")]
    Running,

    [JsonStringEnumMemberName("succeeded")]
    Succeeded,

    [JsonStringEnumMemberName("failed")]
    Failed,

    [JsonStringEnumMemberName("cancelling")]
    Cancelling,

    [JsonStringEnumMemberName("cancelled")]
    Cancelled,
}

/// <summary>What a running job is doing.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<JobStage>))]
public enum JobStage
{
    [JsonStringEnumMemberName("loadingData")]
    LoadingData,

    [JsonStringEnumMemberName("fineTuningFaceNet")]
    FineTuningFaceNet,

    [JsonStringEnumMemberName("stage1")]
    Stage1,

    [JsonStringEnumMemberName("stage2")]
    Stage2,

    [JsonStringEnumMemberName("evaluating")]
    Evaluating,

    [JsonStringEnumMemberName("publishing")]
    Publishing,
}

/// <summary>The data set of a job: a folder inside the service's data root, read as the CLI reads one.</summary>
public sealed record JobDataset
{
    /// <summary>The data set's folder, relative to the data root.</summary>
    public string Path { get; init; } = "";

    /// <summary>Training images: a folder under the data set, optionally ending in a file pattern.</summary>
    public string? Train { get; init; }

    /// <summary>Validation images, like <see cref="Train"/>; default: split off the training subjects.</summary>
    public string? Validation { get; init; }

    /// <summary>Test images, like <see cref="Train"/>.</summary>
    public string? Test { get; init; }

    /// <summary>A CSV manifest (path,label[,subject]) inside the data set, instead of label folders.</summary>
    public string? Manifest { get; init; }

    /// <summary>A regular expression on file names that yields the subject id.</summary>
    public string? SubjectPattern { get; init; }

    /// <summary>The labels to train on, in order; default: every label folder.</summary>
    public IReadOnlyList<string>? Labels { get; init; }
}

/// <summary>A training job as submitted. Every field has a default, also inside partial sections.</summary>
[JsonObjectCreationHandling(JsonObjectCreationHandling.Populate)]
public sealed record JobSpec
{
    /// <summary>What to train on.</summary>
    public JobDataset Dataset { get; init; } = new();

    /// <summary>How to train: method, architecture, face-net fine-tuning, stages, augmentation, seed.</summary>
    public TrainingOptions Training { get; init; } = new();

    /// <summary>The registry name to publish the model under.</summary>
    public string ModelName { get; init; } = "expression";

    /// <summary>Whether to put the new version in service when the job succeeds.</summary>
    public bool Promote { get; init; }
}

/// <summary>How far a running job has got.</summary>
/// <param name="Stage">The current stage.</param>
/// <param name="Epoch">One-based epoch within the stage.</param>
/// <param name="Epochs">Epochs of the stage.</param>
/// <param name="Step">One-based step within the epoch.</param>
/// <param name="Steps">Steps per epoch.</param>
/// <param name="FractionDone">Share of the whole job done, 0..1.</param>
/// <param name="Remaining">Estimated time left.</param>
/// <param name="Loss">The last step's loss.</param>
public sealed record JobProgress(
    JobStage Stage, int Epoch, int Epochs, int Step, int Steps, double FractionDone, TimeSpan? Remaining, double Loss);

/// <summary>A state or stage change, with its time.</summary>
public sealed record JobTransition(JobState State, JobStage? Stage, DateTimeOffset At);

/// <summary>A line of a job's own log.</summary>
public sealed record JobLogLine(DateTimeOffset At, string Level, string Message);

/// <summary>A training job.</summary>
/// <param name="Id">The job's id.</param>
/// <param name="State">Where it is in its life.</param>
/// <param name="Stage">What it is doing, while running.</param>
/// <param name="CreatedAt">When it was submitted.</param>
/// <param name="UpdatedAt">When it last changed.</param>
/// <param name="Progress">How far it has got, once running.</param>
/// <param name="Failure">Why it failed.</param>
/// <param name="Published">The registry version it published.</param>
/// <param name="Promoted">Whether that version was put in service.</param>
/// <param name="Spec">What was asked for.</param>
/// <param name="Transitions">Every state and stage change.</param>
/// <param name="Epochs">Per-epoch measurements, every stage.</param>
public sealed record Job(
    string Id,
    JobState State,
    JobStage? Stage,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    JobProgress? Progress,
    string? Failure,
    ModelVersionRef? Published,
    bool Promoted,
    JobSpec Spec,
    IReadOnlyList<JobTransition> Transitions,
    IReadOnlyList<EpochResult> Epochs)
{
    /// <summary>Whether the job will not change any more.</summary>
    [JsonIgnore]
    public bool IsFinished => State is JobState.Succeeded or JobState.Failed or JobState.Cancelled;
}

/// <summary>A page of jobs, newest first.</summary>
public sealed record JobPage(IReadOnlyList<Job> Items, int Page, int PageSize, int Total);
