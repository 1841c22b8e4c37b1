using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using ExpressionNet.Data;
using ExpressionNet.Models;

namespace ExpressionNet.Training;

/// <summary>Which model a training run produces.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<TrainingMethod>))]
public enum TrainingMethod
{
    /// <summary>
    /// The paper's method: the face net is fine-tuned and frozen, ExpNet's convolutions learn to
    /// reproduce its response (stage 1), then the whole ExpNet learns the labels (stage 2).
    /// </summary>
    FaceNet2ExpNet,

    /// <summary>Baseline: ExpNet trained on the labels from random weights (stage 2 only).</summary>
    ExpNetFromScratch,

    /// <summary>Baseline: the fine-tuned face net with its classifier is the model.</summary>
    FineTunedFaceNet,
}

/// <summary>How training compensates for classes of unequal size.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ClassBalance>))]
public enum ClassBalance
{
    /// <summary>Plain cross-entropy over the images as they come.</summary>
    None,

    /// <summary>Cross-entropy weighted by inverse class frequency.</summary>
    Weighted,

    /// <summary>Batches drawn with every class equally likely.</summary>
    Sampled,
}

/// <summary>How the learning rate changes over a stage.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<LearningRateSchedule>))]
public enum LearningRateSchedule
{
    /// <summary>The same rate throughout.</summary>
    Constant,

    /// <summary>A linear warm-up over the first epoch, then a cosine decay to zero.</summary>
    Cosine,

    /// <summary>Divided by ten at 50% and again at 75% of the epochs.</summary>
    Step,
}

/// <summary>The optimisation algorithm of a stage.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<OptimizerKind>))]
public enum OptimizerKind
{
    /// <summary>Stochastic gradient descent with Nesterov momentum 0.9.</summary>
    Sgd,

    /// <summary>Adam with decoupled weight decay.</summary>
    AdamW,
}

/// <summary>Settings of one optimisation stage.</summary>
public sealed record StageOptions
{
    /// <summary>Passes over the training images.</summary>
    [Range(0, 10_000)]
    public int Epochs { get; init; } = 10;

    /// <summary>Images per step.</summary>
    [Range(1, 4096)]
    public int BatchSize { get; init; } = 64;

    /// <summary>Peak learning rate.</summary>
    [Range(1e-7, 10.0)]
    public double LearningRate { get; init; } = 0.01;

    /// <summary>The optimisation algorithm.</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Sgd;

    /// <summary>Weight decay.</summary>
    [Range(0.0, 1.0)]
    public double WeightDecay { get; init; } = 5e-4;

    /// <summary>How the rate changes over the epochs.</summary>
    public LearningRateSchedule Schedule { get; init; } = LearningRateSchedule.Cosine;

    /// <summary>
    /// Stop when the validation accuracy has not improved for this many epochs (0: never stop
    /// early). The weights of the best validation epoch are kept either way.
    /// </summary>
    [Range(0, 10_000)]
    public int Patience { get; init; }
}

/// <summary>How the face net (the teacher) is fine-tuned on the expression data before it is frozen.</summary>
[JsonObjectCreationHandling(JsonObjectCreationHandling.Populate)]
public sealed record FaceNetOptions
{
    /// <summary>Side of the face net's input. Its native size is 150; smaller is faster.</summary>
    [Range(64, 512)]
    public int InputSize { get; init; } = 150;

    /// <summary>
    /// How many of the face net's last residual blocks are trained along with the classifier put on
    /// its features (0 trains the classifier only).
    /// </summary>
    [Range(0, 15)]
    public int TrainableBlocks { get; init; } = 2;

    /// <summary>
    /// How many times the stage's learning rate the new classifier learns with; a fresh layer on
    /// top of pre-trained ones needs larger steps than they do.
    /// </summary>
    [Range(0.01, 1000.0)]
    public double HeadLearningRateScale { get; init; } = 10;

    /// <summary>The fine-tuning stage.</summary>
    public StageOptions Stage { get; init; } = new()
    {
        Epochs = 5, BatchSize = 32, LearningRate = 3e-4, Optimizer = OptimizerKind.AdamW, WeightDecay = 1e-4,
    };
}

/// <summary>
/// Everything that defines a training run, apart from the data. Read from JSON, a partial section
/// (say, only a stage's epochs) keeps the defaults of the fields it leaves out.
/// </summary>
[JsonObjectCreationHandling(JsonObjectCreationHandling.Populate)]
public sealed record TrainingOptions
{
    /// <summary>The model to train.</summary>
    public TrainingMethod Method { get; init; } = TrainingMethod.FaceNet2ExpNet;

    /// <summary>The expression net's architecture.</summary>
    public ExpNetOptions Model { get; init; } = new();

    /// <summary>Margin around detected faces (see <see cref="Preprocessing.FaceMargin"/>).</summary>
    [Range(0.0, 2.0)]
    public double FaceMargin { get; init; } = 0.15;

    /// <summary>Whether faces are found with the face detector (for photos) or images are crops already.</summary>
    public bool DetectFaces { get; init; }

    /// <summary>The face net and its fine-tuning.</summary>
    public FaceNetOptions FaceNet { get; init; } = new();

    /// <summary>Stage 1: ExpNet's convolutions regress onto the face net's response.</summary>
    public StageOptions Stage1 { get; init; } = new()
    {
        Epochs = 5, LearningRate = 1e-3, Optimizer = OptimizerKind.AdamW, WeightDecay = 1e-4,
    };

    /// <summary>Stage 2: the whole ExpNet learns the labels.</summary>
    public StageOptions Stage2 { get; init; } = new()
    {
        Epochs = 20, LearningRate = 1e-3, Optimizer = OptimizerKind.AdamW, WeightDecay = 0.01,
    };

    /// <summary>Training-time augmentation.</summary>
    public Augmentation Augmentation { get; init; } = new();

    /// <summary>Evaluate on each image and its mirror image and average the scores.</summary>
    public bool FlipAtTest { get; init; } = true;

    /// <summary>How unequal classes are handled.</summary>
    public ClassBalance ClassBalance { get; init; } = ClassBalance.Weighted;

    /// <summary>
    /// Share of each target's probability spread over the other classes in the classification
    /// losses, a guard against over-confidence on noisily labelled data.
    /// </summary>
    [Range(0.0, 0.5)]
    public double LabelSmoothing { get; init; }

    /// <summary>Share of training subjects held out for validation when the data set has no validation split.</summary>
    [Range(0.0, 0.9)]
    public double ValidationFraction { get; init; } = 0.15;

    /// <summary>Seed of every random choice (splits, initialisation, batches, augmentation).</summary>
    public int Seed { get; init; } = 1;

    /// <summary>Compute device: "auto" (CUDA when present, else CPU), "cpu" or "cuda[:n]".</summary>
    public string Device { get; init; } = "auto";

    /// <summary>CPU threads for tensor work (0: all cores).</summary>
    [Range(0, 1024)]
    public int Threads { get; init; }
}
