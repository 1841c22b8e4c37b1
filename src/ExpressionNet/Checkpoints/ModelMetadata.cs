using ExpressionNet.Data;
using ExpressionNet.Evaluation;
using ExpressionNet.Models;
using ExpressionNet.Training;

namespace ExpressionNet.Checkpoints;

/// <summary>What a checkpoint says about the images a model was trained and measured on.</summary>
/// <param name="Fingerprint">SHA-256 over every used image's relative path, label and content.</param>
/// <param name="Description">Where the data came from, for people (e.g. the data set's folder name).</param>
/// <param name="TrainImages">Images trained on.</param>
/// <param name="ValidationImages">Images used for model selection.</param>
/// <param name="TestImages">Held-out images the metrics come from.</param>
/// <param name="SkippedImages">Images left out as unreadable or without a face.</param>
public sealed record DataSummary(
    string Fingerprint, string Description, int TrainImages, int ValidationImages, int TestImages, int SkippedImages);

/// <summary>The measurements stored with a model.</summary>
/// <param name="Test">On the held-out test images, when there were any.</param>
/// <param name="Validation">On the validation images, when there were any.</param>
public sealed record ModelMetrics(EvaluationReport? Test, EvaluationReport? Validation);

/// <summary>
/// The JSON document beside a checkpoint's weights: enough to rebuild the network, feed it as it
/// was trained, interpret its outputs, and know where it came from.
/// </summary>
public sealed record ModelMetadata
{
    /// <summary>The format marker every checkpoint carries.</summary>
    public const string CurrentFormat = "expressionnet-checkpoint/1";

    /// <summary>Format marker; a file without it is not a checkpoint.</summary>
    public string Format { get; init; } = CurrentFormat;

    /// <summary>The model's name.</summary>
    public required string Name { get; init; }

    /// <summary>The registry version, once published (null before).</summary>
    public int? Version { get; init; }

    /// <summary>Class names, in the order of the model's outputs.</summary>
    public required IReadOnlyList<string> Labels { get; init; }

    /// <summary>The network.</summary>
    public required ModelArchitecture Architecture { get; init; }

    /// <summary>How a face becomes input.</summary>
    public required Preprocessing Preprocessing { get; init; }

    /// <summary>Whether scores average the face and its mirror image.</summary>
    public bool FlipAtTest { get; init; }

    /// <summary>The method that trained the model.</summary>
    public TrainingMethod Method { get; init; }

    /// <summary>The complete training configuration.</summary>
    public TrainingOptions? Training { get; init; }

    /// <summary>The data trained and measured on.</summary>
    public DataSummary? Data { get; init; }

    /// <summary>Measurements at training time.</summary>
    public ModelMetrics? Metrics { get; init; }

    /// <summary>Every epoch of every stage.</summary>
    public IReadOnlyList<EpochResult> History { get; init; } = [];

    /// <summary>SHA-256 of the weights file, hex; checked on every load.</summary>
    public required string WeightsSha256 { get; init; }

    /// <summary>When the checkpoint was written.</summary>
    public DateTimeOffset CreatedAt { get; init; }
}
