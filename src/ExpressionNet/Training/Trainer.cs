using System.Diagnostics;
using ExpressionNet.Data;
using ExpressionNet.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using static TorchSharp.torch.nn.functional;

namespace ExpressionNet.Training;

/// <summary>
/// Trains an expression model as <see cref="TrainingOptions.Method"/> says: FaceNet2ExpNet's
/// face-net fine-tuning, stage 1 and stage 2, or one of its two baselines.
/// </summary>
/// <remarks>
/// With a work folder, each finished epoch leaves a checkpoint there and a new trainer given the
/// same folder, options and data resumes after the last finished epoch. Optimizer state (momentum)
/// is not kept across a resume; the learning-rate schedule is.
/// </remarks>
public sealed class Trainer
{
    private const int StudentView = 0;
    private const int TeacherView = 1;

    private readonly TrainingOptions _options;
    private readonly ITrainingObserver _observer;
    private readonly Device _device;
    private readonly string _faceNetDirectory;
    private readonly Stopwatch _clock = new();
    private readonly List<EpochResult> _history = [];
    private long _stepsDone;
    private long _stepsTotal;

    /// <summary>Creates a trainer; <paramref name="observer"/> hears of every step and epoch.</summary>
    /// <param name="options">The run's settings.</param>
    /// <param name="observer">Receives progress.</param>
    /// <param name="faceNetDirectory">The face-api weights folder; defaults to the one beside the binaries.</param>
    public Trainer(TrainingOptions options, ITrainingObserver? observer = null, string? faceNetDirectory = null)
    {
        _options = options;
        _faceNetDirectory = faceNetDirectory ?? Weights.FaceApiModels.DefaultDirectory;
        _observer = observer ?? new SilentObserver();
        _device = Devices.Resolve(options.Device);
    }

    /// <summary>The device the trainer computes on.</summary>
    public Device Device => _device;

    /// <summary>The views (sizes and channels) of the images a run with these options needs.</summary>
    public static IReadOnlyList<ImageView> ViewsFor(TrainingOptions options)
    {
        var student = new ImageView(options.Model.InputSize, options.Model.InputChannels);
        return options.Method == TrainingMethod.ExpNetFromScratch
            ? [student]
            : [student, new ImageView(options.FaceNet.InputSize, 3)];
    }

    /// <summary>
    /// Runs every stage of the method and returns the trained model.
    /// </summary>
    /// <param name="data">Images loaded with <see cref="ViewsFor"/>.</param>
    /// <param name="workFolder">Where per-epoch checkpoints go, for resuming; null keeps none.</param>
    /// <param name="cancellationToken">Stops the run at the next step.</param>
    public TrainedModel Train(TrainingData data, string? workFolder = null, CancellationToken cancellationToken = default)
    {
        if (_options.Threads > 0)
        {
            set_num_threads(_options.Threads);
        }

        var progress = new RunState(workFolder);
        _history.Clear();
        _history.AddRange(progress.History);
        _stepsTotal = CountSteps(data);
        _stepsDone = progress.StepsDone;
        _clock.Restart();

        var classes = data.Labels.Count;
        var balance = ClassWeights(data.Train, classes);
        var studentPreprocessing = StudentPreprocessing(data.Train);

        FaceNetClassifier? teacher = null;
        if (_options.Method != TrainingMethod.ExpNetFromScratch)
        {
            manual_seed(_options.Seed);
            teacher = new FaceNetClassifier(
                FaceRecognitionNet.Load(_faceNetDirectory), classes);
            teacher.to(_device);
            FineTuneFaceNet(teacher, data, balance, progress, cancellationToken);

            if (_options.Method == TrainingMethod.FineTunedFaceNet)
            {
                teacher.eval();
                return new TrainedModel(
                    teacher,
                    new ModelArchitecture { Kind = ModelKind.FaceNetClassifier },
                    FaceNetPreprocessing(_options),
                    data.Labels,
                    _history.ToList());
            }
        }

        manual_seed(_options.Seed);
        var expNet = new ExpNet(_options.Model, classes);
        expNet.to(_device);
        if (teacher is not null)
        {
            RegressOntoFaceNet(expNet, teacher, data, studentPreprocessing, progress, cancellationToken);
            teacher.Dispose();
        }

        LearnLabels(expNet, data, studentPreprocessing, balance, progress, cancellationToken);
        expNet.eval();
        return new TrainedModel(
            expNet,
            new ModelArchitecture { Kind = ModelKind.ExpNet, ExpNet = _options.Model },
            studentPreprocessing,
            data.Labels,
            _history.ToList());
    }

    /// <summary>The preprocessing of the fine-tuned face net: RGB 0..255 at its input size.</summary>
    public static Preprocessing FaceNetPreprocessing(TrainingOptions options) => new()
    {
        InputSize = options.FaceNet.InputSize,
        Colour = ColourMode.Rgb,
        Mean = [0f, 0f, 0f],
        Std = [1 / 255f, 1 / 255f, 1 / 255f],
        FaceMargin = options.FaceMargin,
    };

    private void FineTuneFaceNet(
        FaceNetClassifier teacher, TrainingData data, Tensor? balance, RunState progress, CancellationToken cancellationToken)
    {
        var stage = _options.FaceNet.Stage;
        var backbone = teacher.FreezeAllBut(_options.FaceNet.TrainableBlocks);
        var classification = new Classification(teacher, balance, _options.LabelSmoothing, TeacherInput);
        ParameterGroup[] groups =
        [
            new(backbone, 1),
            new(teacher.Classifier.parameters().ToList(), _options.FaceNet.HeadLearningRateScale),
        ];

        RunStage(TrainingStage.FineTuningFaceNet, stage, teacher, groups, data, progress, classification,
            cancellationToken);

        teacher.Freeze();
        teacher.eval();
    }

    private void RegressOntoFaceNet(
        ExpNet expNet, FaceNetClassifier teacher, TrainingData data, Preprocessing preprocessing,
        RunState progress, CancellationToken cancellationToken)
    {
        // ExpNet's top map may be wider than the face net's; a 1x1 projection bridges the channels
        // during stage 1 only and is dropped with the regression loss.
        using var adapter = expNet.FeatureChannels == FaceRecognitionNet.FeatureChannels
            ? null
            : Conv2d(expNet.FeatureChannels, FaceRecognitionNet.FeatureChannels, 1);
        adapter?.to(_device);

        var regression = new Regression(expNet, adapter, teacher, preprocessing);
        var parameters = expNet.FeatureLayers.parameters().Concat(adapter?.parameters() ?? []).ToList();
        RunStage(TrainingStage.Stage1, _options.Stage1, regression, [new(parameters, 1)], data, progress, regression,
            cancellationToken);
    }

    private void LearnLabels(
        ExpNet expNet, TrainingData data, Preprocessing preprocessing, Tensor? balance,
        RunState progress, CancellationToken cancellationToken)
    {
        var classification = new Classification(
            expNet, balance, _options.LabelSmoothing, views => preprocessing.Normalize(views[StudentView]));
        RunStage(TrainingStage.Stage2, _options.Stage2, expNet, [new(expNet.parameters().ToList(), 1)], data, progress,
            classification, cancellationToken);
    }

    private void RunStage(
        TrainingStage stage,
        StageOptions settings,
        Module trained,
        IReadOnlyList<ParameterGroup> groups,
        TrainingData data,
        RunState progress,
        IObjective objective,
        CancellationToken cancellationToken)
    {
        _observer.StageStarted(stage);
        if (progress.IsFinished(stage))
        {
            progress.LoadFinished(stage, trained);
            _observer.Log($"{stage}: finished in an earlier run, weights restored.");
            return;
        }

        var firstEpoch = progress.Resume(stage, trained);
        if (firstEpoch > 1)
        {
            _observer.Log($"{stage}: resuming after epoch {firstEpoch - 1}.");
        }

        using var optimizer = CreateOptimizer(settings, groups);
        var steps = StepsPerEpoch(data.Train.Count, settings.BatchSize);
        var best = progress.Best(stage);
        var epochsSinceBest = 0;
        var learningRate = settings.LearningRate;

        for (var epoch = firstEpoch; epoch <= settings.Epochs; epoch++)
        {
            var started = Stopwatch.StartNew();
            trained.train();
            using var generator = new Generator((ulong)HashCode.Combine(_options.Seed, stage, epoch));
            using var order = EpochOrder(data.Train, steps * settings.BatchSize, generator);

            double lossSum = 0;
            long correct = 0;
            long seen = 0;
            for (var step = 0; step < steps; step++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                learningRate = LearningRateAt(settings, epoch - 1, step, steps);
                foreach (var (group, scale) in optimizer.ParamGroups.Zip(groups.Select(g => g.RateScale)))
                {
                    group.LearningRate = learningRate * scale;
                }

                using var scope = NewDisposeScope();
                var indices = order.narrow(0, (long)step * settings.BatchSize, settings.BatchSize);
                var views = Batch(data.Train, indices, generator, augment: true);
                var labels = data.Train.Labels.index_select(0, indices).to(_device);

                optimizer.zero_grad();
                var (loss, hits) = objective.Loss(views, labels);
                loss.backward();
                optimizer.step();

                var lossValue = loss.item<float>();
                if (!float.IsFinite(lossValue))
                {
                    throw new TrainingDivergedException(stage, epoch, step + 1, learningRate);
                }

                lossSum += lossValue * indices.shape[0];
                correct += hits?.item<long>() ?? 0;
                seen += indices.shape[0];
                _stepsDone++;
                _observer.StepCompleted(new TrainingStep(
                    stage, epoch, settings.Epochs, step + 1, steps, lossValue, Fraction(), _clock.Elapsed, Remaining()));
            }

            var (validationLoss, validationAccuracy) = Validate(objective, data.Validation);
            var result = new EpochResult(
                stage, epoch, lossSum / seen, objective.IsClassification ? (double)correct / seen : null,
                validationLoss, validationAccuracy, learningRate, started.Elapsed);
            _history.Add(result);
            _observer.EpochCompleted(result);

            // Keep the weights of the best validation epoch: accuracy for the classifiers, the
            // regression loss for stage 1; the last epoch when there is nothing to validate on.
            var score = validationAccuracy ?? (validationLoss is { } l ? -l : double.NaN);
            var improved = double.IsNaN(score) || best is null || score > best.Value;
            if (improved)
            {
                best = double.IsNaN(score) ? null : score;
                epochsSinceBest = 0;
            }
            else
            {
                epochsSinceBest++;
            }

            progress.EpochDone(stage, epoch, trained, improved, best, _history, _stepsDone);
            if (settings.Patience > 0 && epochsSinceBest >= settings.Patience)
            {
                _observer.Log($"{stage}: no validation gain for {settings.Patience} epochs, stopping after epoch {epoch}.");
                _stepsTotal -= (long)(settings.Epochs - epoch) * steps;
                break;
            }
        }

        progress.StageDone(stage, trained);
    }

    private (double? Loss, double? Accuracy) Validate(IObjective objective, ImageSet? validation)
    {
        if (validation is null || validation.Count == 0)
        {
            return (null, null);
        }

        objective.Module.eval();
        using var noGrad = no_grad();
        double lossSum = 0;
        long correct = 0;
        const int batchSize = 256;
        for (long start = 0; start < validation.Count; start += batchSize)
        {
            using var scope = NewDisposeScope();
            var count = Math.Min(batchSize, validation.Count - start);
            var indices = arange(start, start + count, ScalarType.Int64);
            var views = Batch(validation, indices, generator: null, augment: false);
            var labels = validation.Labels.index_select(0, indices).to(_device);
            var (loss, hits) = objective.Loss(views, labels);
            lossSum += loss.item<float>() * count;
            correct += hits?.item<long>() ?? 0;
        }

        return (lossSum / validation.Count, objective.IsClassification ? (double)correct / validation.Count : null);
    }

    // Gathers a batch's views on the device as 0..1 floats, augmented alike.
    private Tensor[] Batch(ImageSet set, Tensor indices, Generator? generator, bool augment)
    {
        var views = set.Views
            .Select(v => v.index_select(0, indices).to(_device).to_type(ScalarType.Float32).div_(Scalars.ByteRange))
            .ToArray();
        return augment ? _options.Augmentation.Apply(views, generator!) : views;
    }

    private Tensor EpochOrder(ImageSet train, long length, Generator generator)
    {
        if (_options.ClassBalance == ClassBalance.Sampled)
        {
            using var counts = train.Labels.bincount(null);
            using var weights = counts.to_type(ScalarType.Float32).reciprocal_().index_select(0, train.Labels);
            return weights.multinomial(length, replacement: true, generator: generator);
        }

        // A permutation, cycled when the last batch needs more images than there are.
        using var permutation = randperm(train.Count, generator: generator);
        var repeats = (length + train.Count - 1) / train.Count;
        using var cycled = permutation.repeat(repeats);
        return cycled.narrow(0, 0, length).clone();
    }

    private Tensor? ClassWeights(ImageSet train, int classes)
    {
        if (_options.ClassBalance != ClassBalance.Weighted)
        {
            return null;
        }

        using var counts = train.Labels.bincount(null, classes).to_type(ScalarType.Float32).clamp_min(Scalars.One);
        using var classCount = ((float)classes).ToScalar();
        return (counts.sum() / counts.mul(classCount)).to(_device);
    }

    private Preprocessing StudentPreprocessing(ImageSet train)
    {
        using var scope = NewDisposeScope();
        var pixels = train.Views[StudentView].to_type(ScalarType.Float32).div_(Scalars.ByteRange);
        var mean = pixels.mean([0, 2, 3]).data<float>().ToArray();
        var std = pixels.std([0, 2, 3]).clamp_min(Scalars.LeastStd).data<float>().ToArray();
        return new Preprocessing
        {
            InputSize = _options.Model.InputSize,
            Colour = _options.Model.Colour,
            Mean = mean,
            Std = std,
            FaceMargin = _options.FaceMargin,
        };
    }

    private static Tensor TeacherInput(Tensor[] views) => views[TeacherView].mul(Scalars.ByteRange);

    private static optim.Optimizer CreateOptimizer(StageOptions settings, IReadOnlyList<ParameterGroup> groups) =>
        settings.Optimizer switch
        {
            OptimizerKind.AdamW => optim.AdamW(groups.Select(g => new AdamW.ParamGroup(
                g.Parameters, settings.LearningRate * g.RateScale, 0.9, 0.999, 1e-8, settings.WeightDecay, false, false))),
            _ => optim.SGD(groups.Select(g => new SGD.ParamGroup(
                g.Parameters, settings.LearningRate * g.RateScale, 0.9, 0, settings.WeightDecay, true, false)),
                settings.LearningRate),
        };

    /// <summary>The learning rate at a step of a stage (epoch is zero-based).</summary>
    public static double LearningRateAt(StageOptions settings, int epoch, int step, int steps)
    {
        var peak = settings.LearningRate;
        switch (settings.Schedule)
        {
            case LearningRateSchedule.Step:
                var factor = epoch >= 0.75 * settings.Epochs ? 0.01 : epoch >= 0.5 * settings.Epochs ? 0.1 : 1;
                return peak * factor;
            case LearningRateSchedule.Cosine:
                var total = (double)settings.Epochs * steps;
                var warmup = settings.Epochs > 1 ? steps : 0;
                var at = (double)epoch * steps + step;
                if (at < warmup)
                {
                    return peak * (at + 1) / warmup;
                }

                var progress = (at - warmup) / Math.Max(1, total - warmup);
                return peak * 0.5 * (1 + Math.Cos(Math.PI * progress));
            default:
                return peak;
        }
    }

    // Batch norm cannot train on a batch of one, so an epoch has only full batches (at least one).
    private static int StepsPerEpoch(int images, int batchSize) => Math.Max(1, images / batchSize);

    private long CountSteps(TrainingData data)
    {
        long Steps(StageOptions s) => (long)s.Epochs * StepsPerEpoch(data.Train.Count, s.BatchSize);
        return _options.Method switch
        {
            TrainingMethod.FaceNet2ExpNet => Steps(_options.FaceNet.Stage) + Steps(_options.Stage1) + Steps(_options.Stage2),
            TrainingMethod.FineTunedFaceNet => Steps(_options.FaceNet.Stage),
            _ => Steps(_options.Stage2),
        };
    }

    private double Fraction() => _stepsTotal == 0 ? 1 : Math.Min(1, (double)_stepsDone / _stepsTotal);

    private TimeSpan? Remaining()
    {
        var fraction = Fraction();
        var elapsed = _clock.Elapsed;
        return elapsed < TimeSpan.FromSeconds(2) || fraction <= 0 ? null : elapsed * ((1 - fraction) / fraction);
    }

    private sealed class SilentObserver : ITrainingObserver;

    /// <summary>Parameters trained at <see cref="RateScale"/> times the stage's learning rate.</summary>
    private sealed record ParameterGroup(IReadOnlyList<Parameter> Parameters, double RateScale);

    /// <summary>What a stage minimises, for one batch.</summary>
    private interface IObjective
    {
        Module Module { get; }

        bool IsClassification { get; }

        (Tensor Loss, Tensor? Correct) Loss(Tensor[] views, Tensor labels);
    }

    private sealed class Classification(
        Module<Tensor, Tensor> net, Tensor? classWeights, double labelSmoothing, Func<Tensor[], Tensor> input)
        : IObjective
    {
        public Module Module => net;

        public bool IsClassification => true;

        public (Tensor Loss, Tensor? Correct) Loss(Tensor[] views, Tensor labels)
        {
            var logits = net.forward(input(views));
            var loss = cross_entropy(logits, labels, weight: classWeights, label_smoothing: labelSmoothing);
            var correct = logits.argmax(1).eq(labels).sum();
            return (loss, correct);
        }
    }

    // Stage 1: ExpNet's top convolutional response regresses onto the frozen face net's response
    // to the same augmented image. The larger of the two maps is average-pooled to the other's size.
    private sealed class Regression : Module, IObjective
    {
        private readonly ExpNet _student;
        private readonly Conv2d? _adapter;
        private readonly FaceNetClassifier _teacher;
        private readonly Preprocessing _preprocessing;

        public Regression(ExpNet student, Conv2d? adapter, FaceNetClassifier teacher, Preprocessing preprocessing)
            : base(nameof(Regression))
        {
            _student = student;
            _adapter = adapter;
            _teacher = teacher;
            _preprocessing = preprocessing;

            // Only the student and the adapter are trained and checkpointed here; the teacher is
            // deliberately left unregistered so that it stays frozen and in evaluation mode.
            register_module("student", student);
            if (adapter is not null)
            {
                register_module("adapter", adapter);
            }
        }

        public Module Module => this;

        public bool IsClassification => false;

        public (Tensor Loss, Tensor? Correct) Loss(Tensor[] views, Tensor labels)
        {
            Tensor target;
            using (no_grad())
            {
                target = _teacher.Features(TeacherInput(views));
            }

            var response = _student.Features(_preprocessing.Normalize(views[StudentView]));
            var (sh, th) = (response.shape[2], target.shape[2]);
            if (sh > th)
            {
                response = adaptive_avg_pool2d(response, [th, target.shape[3]]);
            }
            else if (th > sh)
            {
                target = adaptive_avg_pool2d(target, [sh, response.shape[3]]);
            }

            if (_adapter is not null)
            {
                response = _adapter.forward(response);
            }

            return (mse_loss(response, target), null);
        }
    }
}
