using System.ComponentModel;
using System.Text.Json;
using ExpressionNet.Checkpoints;
using ExpressionNet.Data;
using ExpressionNet.Detection;
using ExpressionNet.Evaluation;
using ExpressionNet.Training;
using ExpressionNet.Weights;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ExpressionNet.Cli.Commands;

/// <summary>
/// <c>expnet evaluate</c>: measures a checkpoint on a data set, or cross-validates a training
/// configuration.
/// </summary>
internal sealed class EvaluateCommand : Command<EvaluateCommand.Settings>
{
    internal sealed class Settings : TrainingSettings
    {
        [CommandOption("--model <CHECKPOINT>")]
        [Description("The checkpoint folder to measure. Without it, --folds cross-validates the training settings instead.")]
        public string? Model { get; init; }

        [CommandOption("--split <SPLIT>")]
        [Description("Which images to measure a checkpoint on: test (the default), validation, train or all.")]
        public string Split { get; init; } = "test";

        [CommandOption("-k|--folds <K>")]
        [Description("Cross-validate: train and test k times on subject-independent folds of the whole data set.")]
        public int? Folds { get; init; }

        [CommandOption("-r|--report <FILE>")]
        [Description("Also write the measurements as JSON to this file.")]
        public string? Report { get; init; }

        public override ValidationResult Validate()
        {
            var result = base.Validate();
            if (!result.Successful)
            {
                return result;
            }

            if ((Model is null) == (Folds is null))
            {
                return ValidationResult.Error("Give either --model <CHECKPOINT> to measure a model or --folds <K> to cross-validate.");
            }

            if (Folds is < 2)
            {
                return ValidationResult.Error("--folds needs at least 2.");
            }

            return Split is "test" or "validation" or "train" or "all"
                ? ValidationResult.Success()
                : ValidationResult.Error($"Unknown split '{Split}': use test, validation, train or all.");
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var config = settings.ReadConfig();
        var data = settings.DatasetSpec(config);
        return settings.Model is not null
            ? MeasureCheckpoint(settings, data, cancellationToken)
            : CrossValidate(settings, data, settings.TrainingOptions(config), cancellationToken);
    }

    private static int MeasureCheckpoint(Settings settings, DatasetSpec data, CancellationToken cancellationToken)
    {
        using var model = ModelCheckpoint.Load(settings.Model!, Devices.Resolve(settings.Device ?? "auto"));
        var index = DatasetIndex.Scan(data with { Labels = data.Labels ?? model.Labels });
        CheckLabels(index.Labels, model.Labels);

        var images = settings.Split == "all" ? index.Images.ToList()
            : index.In(Enum.Parse<DatasetSplit>(settings.Split, ignoreCase: true)).ToList();
        if (images.Count == 0)
        {
            throw new DatasetException($"The data set has no {settings.Split} images.");
        }

        var preprocessing = model.Preprocessing;
        var detect = settings.DetectFaces ?? model.Metadata.Training?.DetectFaces ?? false;
        using var detector = detect ? FaceDetector.Load(FaceApiModels.DefaultDirectory, device: model.Device) : null;
        var report = AnsiConsole.Status().Start($"Measuring {model.Metadata.Name} on {images.Count} images...", _ =>
        {
            using var set = ImageSet.Load(
                images, [new ImageView(preprocessing.InputSize, preprocessing.Channels)],
                detector is null ? null : FaceLocators.Largest(detector), preprocessing.FaceMargin, cancellationToken: cancellationToken);
            if (set.Skipped.Count > 0)
            {
                AnsiConsole.MarkupLineInterpolated($"[yellow]Skipped {set.Skipped.Count} unreadable or faceless images.[/]");
            }

            return Evaluator.Evaluate(model, set, cancellationToken: cancellationToken);
        });

        AnsiConsole.MarkupLineInterpolated($"{model.Metadata.Name}, {settings.Split} split: {Reports.Summary(report)}");
        AnsiConsole.Write(Reports.Table(report));
        if (model.Metadata.Metrics?.Test is { } recorded && settings.Split == "test")
        {
            AnsiConsole.MarkupLineInterpolated(
                $"Recorded at training time: accuracy {recorded.Accuracy:P2} (difference {100 * (report.Accuracy - recorded.Accuracy):+0.00;-0.00} points).");
        }

        WriteReport(settings.Report, report);
        return 0;
    }

    private static int CrossValidate(Settings settings, DatasetSpec data, TrainingOptions options, CancellationToken cancellationToken)
    {
        var folds = settings.Folds!.Value;
        AnsiConsole.MarkupLineInterpolated($"{folds}-fold subject-independent cross-validation of {options.Method} on {data.Root}");
        var result = ConsoleProgress.Run(observer =>
            new TrainingPipeline(options, observer)
                .CrossValidate(data, folds, cancellationToken));

        var table = new Table().AddColumns("fold", "images", "accuracy", "mean class accuracy");
        for (var f = 0; f < result.Folds.Count; f++)
        {
            var fold = result.Folds[f];
            table.AddRow($"{f + 1}", $"{fold.Count}", $"{fold.Accuracy:P2}", $"{fold.MeanClassAccuracy:P2}");
        }

        AnsiConsole.Write(table);
        AnsiConsole.MarkupLineInterpolated(
            $"{options.Method}: mean accuracy [bold]{result.MeanAccuracy:P2}[/] ± {result.AccuracyStandardDeviation:P2} over {folds} folds.");
        WriteReport(settings.Report, new
        {
            method = options.Method,
            folds = result.Folds,
            meanAccuracy = result.MeanAccuracy,
            accuracyStandardDeviation = result.AccuracyStandardDeviation,
            meanClassAccuracy = result.MeanClassAccuracy,
            skipped = result.Skipped,
            training = options,
        });
        return 0;
    }

    private static void CheckLabels(IReadOnlyList<string> found, IReadOnlyList<string> model)
    {
        if (!found.SequenceEqual(model))
        {
            throw new DatasetException(
                $"The data set's labels ({string.Join(", ", found)}) are not the model's ({string.Join(", ", model)}).");
        }
    }

    private static void WriteReport<T>(string? path, T report)
    {
        if (path is null)
        {
            return;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        File.WriteAllBytes(path, JsonSerializer.SerializeToUtf8Bytes(report, ModelCheckpoint.JsonOptions));
        AnsiConsole.MarkupLineInterpolated($"Wrote {path}");
    }
}
