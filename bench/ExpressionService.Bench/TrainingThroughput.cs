using System.Diagnostics;
using ExpressionNet.Checkpoints;
using ExpressionNet.Data;
using ExpressionNet.Models;
using ExpressionNet.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ExpressionService.Bench;

/// <summary>
/// Stage-2 training speed: the trainer (batch gathering, augmentation, schedule, bookkeeping) on
/// real FER2013 images against a bare forward-backward-step loop of the same net on ready tensors.
/// </summary>
internal static class TrainingThroughput
{
    private const int Images = 4096;
    private const int BatchSize = 64;

    public static (double Trainer, double RawLoop) Measure(string device)
    {
        var architecture = ModelCheckpoint.ReadMetadata(Paths.Model).Architecture.ExpNet ?? new ExpNetOptions();
        var index = DatasetIndex.Scan(new DatasetSpec { Root = Path.GetDirectoryName(Paths.FerTrain)!, Test = null });
        var images = index.In(DatasetSplit.Train).Where((_, i) => i % 7 == 0).Take(Images).ToList();
        using var train = ImageSet.Load(images, [new ImageView(architecture.InputSize, architecture.InputChannels)]);

        var options = new TrainingOptions
        {
            Method = TrainingMethod.ExpNetFromScratch,
            Model = architecture,
            Stage2 = new StageOptions { Epochs = 1, BatchSize = BatchSize, LearningRate = 0.01 },
            ValidationFraction = 0,
            Device = device,
        };
        var trainer = new Trainer(options);
        var trained = trainer.Train(new TrainingData(index.Labels, train, Validation: null));
        var epoch = trained.History.Single();
        var trainerRate = (double)(train.Count / BatchSize * BatchSize) / epoch.Duration.TotalSeconds;
        trained.Net.Dispose();

        return (trainerRate, RawLoop(architecture, index.Labels.Count, train, Devices.Resolve(device)));
    }

    private static double RawLoop(ExpNetOptions architecture, int classes, ImageSet train, Device device)
    {
        using var net = new ExpNet(architecture, classes);
        net.to(device);
        net.train();
        using var optimizer = optim.SGD(net.parameters(), 0.01, momentum: 0.9, weight_decay: 5e-4, nesterov: true);
        using var pixels = train.Views[0].to(device);
        using var inputs = new Preprocessing().FromBytes(pixels);
        using var labels = train.Labels.to(device);

        var steps = train.Count / BatchSize;
        var clock = new Stopwatch();
        for (var step = -2; step < steps; step++)
        {
            if (step == 0)
            {
                clock.Start();
            }

            using var scope = NewDisposeScope();
            var at = Math.Max(0, step) * BatchSize;
            optimizer.zero_grad();
            var loss = nn.functional.cross_entropy(net.forward(inputs.narrow(0, at, BatchSize)), labels.narrow(0, at, BatchSize));
            loss.backward();
            optimizer.step();
            loss.item<float>();
        }

        return steps * BatchSize / clock.Elapsed.TotalSeconds;
    }
}
