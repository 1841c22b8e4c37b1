using ExpressionNet.Data;
using ExpressionNet.Models;
using ExpressionNet.Training;

namespace ExpressionNet.Tests;

public class TrainerTests
{
    private const double Peak = 0.1;
    private const int Steps = 5;

    [Fact]
    public void CosineScheduleWarmsUpLinearlyOverTheFirstEpoch()
    {
        var settings = Stage(LearningRateSchedule.Cosine, epochs: 10);

        var warmUp = Enumerable.Range(0, Steps).Select(step => Trainer.LearningRateAt(settings, 0, step, Steps));

        Assert.Equal([0.02, 0.04, 0.06, 0.08, 0.1], warmUp.Select(rate => Math.Round(rate, 12)));
    }

    [Fact]
    public void CosineScheduleThenDecaysSteadilyFromThePeakToAboutZero()
    {
        var settings = Stage(LearningRateSchedule.Cosine, epochs: 10);

        var decay = Rates(settings).Skip(Steps).ToList();

        Assert.Equal(Peak, decay[0], 1e-12);
        Assert.All(decay.Zip(decay.Skip(1)), pair => Assert.True(pair.Second < pair.First));
        Assert.InRange(decay[^1], 0, Peak * 0.002);
        Assert.Equal(Peak / 2, Trainer.LearningRateAt(settings, 5, 2, Steps), Peak * 0.05);
    }

    [Fact]
    public void CosineScheduleOfOneEpochStartsAtThePeakWithoutWarmUp()
    {
        var settings = Stage(LearningRateSchedule.Cosine, epochs: 1);

        var first = Trainer.LearningRateAt(settings, 0, 0, Steps);
        var last = Trainer.LearningRateAt(settings, 0, Steps - 1, Steps);

        Assert.Equal(Peak, first, 1e-12);
        Assert.InRange(last, 0, Peak * 0.1);
    }

    [Fact]
    public void StepScheduleDividesByTenAtHalfwayAndAgainAtThreeQuarters()
    {
        var settings = Stage(LearningRateSchedule.Step, epochs: 20);

        var byEpoch = Rates(settings).Where((_, at) => at % Steps == 3).ToList();

        Assert.All(byEpoch[..10], rate => Assert.Equal(Peak, rate, 1e-12));
        Assert.All(byEpoch[10..15], rate => Assert.Equal(Peak / 10, rate, 1e-12));
        Assert.All(byEpoch[15..], rate => Assert.Equal(Peak / 100, rate, 1e-12));
    }

    [Fact]
    public void ConstantScheduleKeepsThePeakThroughout()
    {
        var settings = Stage(LearningRateSchedule.Constant, epochs: 4);

        var rates = Rates(settings);

        Assert.All(rates, rate => Assert.Equal(Peak, rate));
    }

    [Fact]
    public void ScratchTrainingNeedsOnlyTheExpNetView()
    {
        var options = new TrainingOptions
        {
            Method = TrainingMethod.ExpNetFromScratch, Model = new() { InputSize = 64 },
        };

        var views = Trainer.ViewsFor(options);

        Assert.Equal([new ImageView(64, 1)], views);
    }

    [Fact]
    public void FaceNet2ExpNetAlsoNeedsTheFaceNetsColourView()
    {
        var options = new TrainingOptions
        {
            Model = new() { Colour = ColourMode.Rgb }, FaceNet = new FaceNetOptions { InputSize = 112 },
        };

        var views = Trainer.ViewsFor(options);

        Assert.Equal([new ImageView(48, 3), new ImageView(112, 3)], views);
    }

    // The rate at every step of the stage, in order.
    private static List<double> Rates(StageOptions settings) =>
        Enumerable.Range(0, settings.Epochs * Steps)
            .Select(at => Trainer.LearningRateAt(settings, at / Steps, at % Steps, Steps))
            .ToList();

    private static StageOptions Stage(LearningRateSchedule schedule, int epochs) =>
        new() { Schedule = schedule, Epochs = epochs, LearningRate = Peak };
}
