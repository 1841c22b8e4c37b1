using System.ComponentModel;
using System.Globalization;
using ExpressionNet.Models;
using ExpressionNet.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ExpressionNet.Cli.Commands;

/// <summary>Options that shape a training run; each overrides the configuration file's value.</summary>
internal class TrainingSettings : DataSettings
{
    [CommandOption("-m|--method <METHOD>")]
    [Description("fn2en (FaceNet2ExpNet, the default), scratch (ExpNet from random weights) or facenet (the fine-tuned face net alone).")]
    public string? Method { get; init; }

    [CommandOption("--input-size <PIXELS>")]
    [Description("ExpNet's input side in pixels. Default: 48.")]
    public int? InputSize { get; init; }

    [CommandOption("--colour <COLOUR>")]
    [Description("ExpNet's input colour: grey or rgb. Default: grey.")]
    public string? Colour { get; init; }

    [CommandOption("--widths <LIST>")]
    [Description("ExpNet's convolution widths, comma-separated. Default: 64,128,256,512,512.")]
    public string? Widths { get; init; }

    [CommandOption("--convolutions-per-block <N>")]
    [Description("3x3 convolutions before each of ExpNet's poolings: 1 (the paper's net, the default) or more.")]
    public int? ConvolutionsPerBlock { get; init; }

    [CommandOption("--batch-norm")]
    [Description("Batch normalisation after each convolution.")]
    public bool? BatchNorm { get; init; }

    [CommandOption("--detect-faces")]
    [Description("Find the face in each image with the face detector and crop it (for photos rather than face crops).")]
    public bool? DetectFaces { get; init; }

    [CommandOption("--facenet-epochs <N>")]
    [Description("Epochs of face-net fine-tuning.")]
    public int? FaceNetEpochs { get; init; }

    [CommandOption("--facenet-input-size <PIXELS>")]
    [Description("The face net's input side (native 150).")]
    public int? FaceNetInputSize { get; init; }

    [CommandOption("--stage1-epochs <N>")]
    [Description("Epochs of stage 1 (regression onto the face net).")]
    public int? Stage1Epochs { get; init; }

    [CommandOption("--stage2-epochs <N>")]
    [Description("Epochs of stage 2 (labels).")]
    public int? Stage2Epochs { get; init; }

    [CommandOption("--batch-size <N>")]
    [Description("Images per step in every stage.")]
    public int? BatchSize { get; init; }

    [CommandOption("--learning-rate <RATE>")]
    [Description("Peak learning rate of stage 2.")]
    public double? LearningRate { get; init; }

    [CommandOption("--patience <EPOCHS>")]
    [Description("Stop a stage when validation accuracy has not improved for this many epochs (0: never).")]
    public int? Patience { get; init; }

    [CommandOption("--balance <MODE>")]
    [Description("Class balancing: none, weighted (loss weights) or sampled (balanced batches).")]
    public ClassBalance? Balance { get; init; }

    [CommandOption("--validation-fraction <SHARE>")]
    [Description("Share of training subjects held out for validation when there is no validation split.")]
    public double? ValidationFraction { get; init; }

    [CommandOption("--seed <N>")]
    [Description("Seed of every random choice.")]
    public int? Seed { get; init; }

    [CommandOption("--device <DEVICE>")]
    [Description("auto (CUDA when present), cpu, cuda or cuda:N.")]
    public string? Device { get; init; }

    [CommandOption("--threads <N>")]
    [Description("CPU threads for tensor work (0: all cores).")]
    public int? Threads { get; init; }

    public override ValidationResult Validate()
    {
        var baseResult = base.Validate();
        if (!baseResult.Successful)
        {
            return baseResult;
        }

        if (Method is not null && ParseMethod(Method) is null)
        {
            return ValidationResult.Error($"Unknown method '{Method}': use fn2en, scratch or facenet.");
        }

        if (Colour is not null && !Enum.TryParse<ColourMode>(Colour, ignoreCase: true, out _))
        {
            return ValidationResult.Error($"Unknown colour '{Colour}': use grey or rgb.");
        }

        return ValidationResult.Success();
    }

    /// <summary>The training options: defaults, then the configuration file, then these options.</summary>
    public TrainingOptions TrainingOptions(ConfigFile config)
    {
        var options = config.Training;
        var model = options.Model with
        {
            InputSize = InputSize ?? options.Model.InputSize,
            Colour = Colour is null ? options.Model.Colour : Enum.Parse<ColourMode>(Colour, ignoreCase: true),
            Widths = Widths?.Split(',').Select(w => int.Parse(w, CultureInfo.InvariantCulture)).ToArray() ?? options.Model.Widths,
            ConvolutionsPerBlock = ConvolutionsPerBlock ?? options.Model.ConvolutionsPerBlock,
            BatchNorm = BatchNorm ?? options.Model.BatchNorm,
        };
        options = options with
        {
            Method = Method is null ? options.Method : ParseMethod(Method)!.Value,
            Model = model,
            DetectFaces = DetectFaces ?? options.DetectFaces,
            FaceNet = options.FaceNet with
            {
                InputSize = FaceNetInputSize ?? options.FaceNet.InputSize,
                Stage = WithOverrides(options.FaceNet.Stage, FaceNetEpochs, learningRate: null),
            },
            Stage1 = WithOverrides(options.Stage1, Stage1Epochs, learningRate: null),
            Stage2 = WithOverrides(options.Stage2, Stage2Epochs, LearningRate) with
            {
                Patience = Patience ?? options.Stage2.Patience,
            },
            ClassBalance = Balance ?? options.ClassBalance,
            ValidationFraction = ValidationFraction ?? options.ValidationFraction,
            Seed = Seed ?? options.Seed,
            Device = Device ?? options.Device,
            Threads = Threads ?? options.Threads,
        };

        OptionsValidation.ThrowIfInvalid(options);
        return options;
    }

    private StageOptions WithOverrides(StageOptions stage, int? epochs, double? learningRate) => stage with
    {
        Epochs = epochs ?? stage.Epochs,
        BatchSize = BatchSize ?? stage.BatchSize,
        LearningRate = learningRate ?? stage.LearningRate,
    };

    private static TrainingMethod? ParseMethod(string method) => method.ToLowerInvariant() switch
    {
        "fn2en" or "facenet2expnet" => TrainingMethod.FaceNet2ExpNet,
        "scratch" or "expnetfromscratch" => TrainingMethod.ExpNetFromScratch,
        "facenet" or "finetunedfacenet" => TrainingMethod.FineTunedFaceNet,
        _ => null,
    };
}
