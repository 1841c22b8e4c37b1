using ExpressionNet.Checkpoints;
using ExpressionNet.Data;
using ExpressionNet.Detection;
using ExpressionNet.Evaluation;
using ExpressionNet.Models;
using ExpressionNet.Weights;

namespace ExpressionNet.Training;

/// <summary>A model trained, measured and written to a folder.</summary>
/// <param name="Folder">The checkpoint folder (weights, metadata, report/).</param>
/// <param name="Metadata">The metadata as written.</param>
/// <param name="Skipped">Images left out of training or testing.</param>
public sealed record TrainingOutcome(string Folder, ModelMetadata Metadata, IReadOnlyList<SkippedImage> Skipped);

/// <summary>One fold of a cross-validation and the summary over all of them.</summary>
/// <param name="Folds">The test measurements of each fold.</param>
/// <param name="Skipped">Images left out.</param>
public sealed record CrossValidationResult(IReadOnlyList<EvaluationReport> Folds, IReadOnlyList<SkippedImage> Skipped)
{
    /// <summary>Mean test accuracy over the folds.</summary>
    public double MeanAccuracy => Folds.Average(f => f.Accuracy);

    /// <summary>Standard deviation of the test accuracy over the folds.</summary>
    public double AccuracyStandardDeviation =>
        Math.Sqrt(Folds.Average(f => Math.Pow(f.Accuracy - MeanAccuracy, 2)));

    /// <summary>Mean of the folds' mean per-class accuracies.</summary>
    public double MeanClassAccuracy => Folds.Average(f => f.MeanClassAccuracy);
}

/// <summary>
/// The whole path from a data set on disk to a checkpoint: find and split the images, decode and
/// crop them, train, evaluate on the held-out images, write the checkpoint and its report.
/// </summary>
/// <param name="options">The training settings.</param>
/// <param name="observer">Receives progress.</param>
/// <param name="locateFace">
/// Finds faces in photos when <see cref="TrainingOptions.DetectFaces"/> is set; defaults to the largest
/// face that face-api's tiny face detector finds.
/// </param>
/// <param name="faceNetDirectory">The face-api weights folder; defaults to the one beside the binaries.</param>
public sealed class TrainingPipeline(
    TrainingOptions options,
    ITrainingObserver? observer = null,
    FaceLocator? locateFace = null,
    string? faceNetDirectory = null)
{
    private readonly ITrainingObserver _observer = observer ?? new NullObserver();

    /// <summary>Trains one model on the data set's training split and writes it to <paramref name="outputFolder"/>.</summary>
    /// <exception cref="DatasetException">The data set cannot be used.</exception>
    public TrainingOutcome Train(
        DatasetSpec data, string modelName, string outputFolder, string? workFolder = null,
        CancellationToken cancellationToken = default)
    {
        var index = SubjectSplits.WithValidation(DatasetIndex.Scan(data), options.ValidationFraction, options.Seed);
        using var all = Load(index.Images, cancellationToken);
        using var train = Split(all, DatasetSplit.Train);
        using var validation = Split(all, DatasetSplit.Validation);
        using var test = Split(all, DatasetSplit.Test);
        RequireTrainingImages(train, index.Labels);

        var trained = new Trainer(options, _observer, faceNetDirectory)
            .Train(new TrainingData(index.Labels, train, validation), workFolder, cancellationToken);

        _observer.StageStarted(TrainingStage.Evaluating);
        var metadata = Describe(trained, modelName, data, [train, validation, test], all.Skipped.Count);
        using var model = new ExpressionModel(metadata, trained.Net, trained.Net.parameters().First().device);
        var view = EvaluationView(trained.Architecture);
        metadata = metadata with
        {
            Metrics = new ModelMetrics(
                test.Count > 0 ? Evaluator.Evaluate(model, test, view, cancellationToken: cancellationToken) : null,
                validation.Count > 0 ? Evaluator.Evaluate(model, validation, view, cancellationToken: cancellationToken) : null),
        };

        metadata = ModelCheckpoint.Save(outputFolder, trained.Net, metadata);
        ReportWriter.Write(Path.Combine(outputFolder, "report"), metadata);
        return new TrainingOutcome(outputFolder, metadata, all.Skipped);
    }

    /// <summary>
    /// k-fold subject-independent cross-validation: every image of the data set (all splits) is
    /// tested once, by a model trained on the other folds.
    /// </summary>
    public CrossValidationResult CrossValidate(DatasetSpec data, int folds, CancellationToken cancellationToken = default)
    {
        var index = DatasetIndex.Scan(data);
        using var all = Load(index.Images, cancellationToken);
        var positions = all.Images.Select((image, i) => (image.Path, i)).ToDictionary(p => p.Path, p => p.i);
        var partition = SubjectSplits.Partition(all.Images, folds, options.Seed);

        var reports = new List<EvaluationReport>();
        for (var f = 0; f < folds; f++)
        {
            _observer.Log($"Fold {f + 1} of {folds}: testing on {partition[f].Count} images.");
            var rest = index.With(partition.Where((_, g) => g != f).SelectMany(p => p)
                .Select(i => i with { Split = DatasetSplit.Train }));
            var split = SubjectSplits.WithValidation(rest, options.ValidationFraction, options.Seed + f);

            using var train = all.Subset(split.In(DatasetSplit.Train).Select(i => positions[i.Path]).ToList());
            using var validation = all.Subset(split.In(DatasetSplit.Validation).Select(i => positions[i.Path]).ToList());
            using var test = all.Subset(partition[f].Select(i => positions[i.Path]).ToList());
            RequireTrainingImages(train, index.Labels);

            var trained = new Trainer(options with { Seed = options.Seed + f }, _observer, faceNetDirectory)
                .Train(new TrainingData(index.Labels, train, validation), cancellationToken: cancellationToken);
            var metadata = Describe(trained, $"fold-{f + 1}", data, [train, validation, test], 0);
            using var model = new ExpressionModel(metadata, trained.Net, trained.Net.parameters().First().device);
            var report = Evaluator.Evaluate(model, test, EvaluationView(trained.Architecture), cancellationToken: cancellationToken);
            reports.Add(report);
            _observer.Log($"Fold {f + 1} of {folds}: accuracy {report.Accuracy:P2}.");
        }

        return new CrossValidationResult(reports, all.Skipped);
    }

    private ImageSet Load(IReadOnlyList<LabelledImage> images, CancellationToken cancellationToken)
    {
        _observer.StageStarted(TrainingStage.LoadingData);
        _observer.Log($"Reading {images.Count} images.");
        using var detector = options.DetectFaces && locateFace is null
            ? FaceDetector.Load(faceNetDirectory ?? FaceApiModels.DefaultDirectory, device: Devices.Resolve(options.Device))
            : null;
        var locator = options.DetectFaces ? locateFace ?? FaceLocators.Largest(detector!) : null;

        var set = ImageSet.Load(
            images, Trainer.ViewsFor(options), locator, options.FaceMargin, cancellationToken: cancellationToken);
        foreach (var skipped in set.Skipped)
        {
            _observer.Log($"Skipped {skipped.Path}: {skipped.Reason}");
        }

        if (set.Skipped.Count > 0)
        {
            _observer.Log($"Skipped {set.Skipped.Count} of {images.Count} images.");
        }

        return set;
    }

    private static ImageSet Split(ImageSet all, DatasetSplit split) =>
        all.Subset(all.Images.Select((image, i) => (image, i)).Where(p => p.image.Split == split).Select(p => p.i).ToList());

    private static void RequireTrainingImages(ImageSet train, IReadOnlyList<string> labels)
    {
        var missing = labels.Where((_, label) => train.Images.All(i => i.Label != label)).ToList();
        if (missing.Count > 0)
        {
            throw new DatasetException(
                $"No readable training images are left for class {string.Join(", ", missing.Select(m => $"'{m}'"))}.");
        }
    }

    // The test images hold the student's view first and the face net's second (Trainer.ViewsFor).
    private static int EvaluationView(ModelArchitecture architecture) =>
        architecture.Kind == ModelKind.FaceNetClassifier ? 1 : 0;

    private ModelMetadata Describe(
        TrainedModel trained, string name, DatasetSpec data, IReadOnlyList<ImageSet> sets, int skipped) => new()
    {
        Name = name,
        Labels = trained.Labels,
        Architecture = trained.Architecture,
        Preprocessing = trained.Preprocessing,
        FlipAtTest = options.FlipAtTest,
        Method = options.Method,
        Training = options,
        Data = new DataSummary(
            ImageSet.Fingerprint(Path.GetFullPath(data.Root), sets, trained.Labels),
            Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(data.Root))),
            sets[0].Count, sets[1].Count, sets[2].Count, skipped),
        History = trained.History,
        WeightsSha256 = "",
        CreatedAt = DateTimeOffset.UtcNow,
    };

    private sealed class NullObserver : ITrainingObserver;
}
