using System.ComponentModel.DataAnnotations;
using ExpressionNet.Training;

namespace ExpressionNet.Tests;

public class OptionsValidationTests
{
    [Fact]
    public void DefaultOptionsAreValid() => Assert.Empty(OptionsValidation.Check(new TrainingOptions()));

    [Fact]
    public void ZeroBatchSizeIsReportedWithItsJsonPath()
    {
        var options = new TrainingOptions { Stage2 = new StageOptions { BatchSize = 0 } };

        var errors = OptionsValidation.Check(options);

        var error = Assert.Single(errors);
        Assert.Equal("stage2.batchSize", error.Field);
        Assert.Contains("between 1 and 4096", error.Message);
    }

    [Fact]
    public void SettingsNestedTwoDeepAreReportedWithTheirWholePath()
    {
        var options = new TrainingOptions
        {
            FaceNet = new FaceNetOptions { Stage = new StageOptions { LearningRate = 0 } },
        };

        var errors = OptionsValidation.Check(options);

        Assert.Equal(["faceNet.stage.learningRate"], errors.Select(e => e.Field));
    }

    [Fact]
    public void ModelWithoutConvolutionsIsReportedOnceAtModelWidths()
    {
        var options = new TrainingOptions { Model = new() { Widths = [] } };

        var errors = OptionsValidation.Check(options);

        Assert.Equal(["model.widths"], errors.Select(e => e.Field));
    }

    [Fact]
    public void ConvolutionWithoutChannelsIsReportedAtModelWidths()
    {
        var options = new TrainingOptions { Model = new() { Widths = [64, 0, 128] } };

        var errors = OptionsValidation.Check(options);

        var error = Assert.Single(errors);
        Assert.Equal("model.widths", error.Field);
        Assert.Contains("width must be at least 1", error.Message);
    }

    [Fact]
    public void InputTooSmallForTheWidthsIsReportedAtModelInputSize()
    {
        var options = new TrainingOptions { Model = new() { InputSize = 24, Widths = [8, 8, 8, 8, 8] } };

        var errors = OptionsValidation.Check(options);

        var error = Assert.Single(errors);
        Assert.Equal("model.inputSize", error.Field);
        Assert.Contains("needs at least 32 px", error.Message);
    }

    [Fact]
    public void EveryBadSettingIsReportedAtOnce()
    {
        var options = new TrainingOptions
        {
            Stage2 = new StageOptions { BatchSize = 0 },
            Augmentation = new() { MaxRotation = 90 },
            ValidationFraction = 1.5,
            Model = new() { Dropout = 1 },
        };

        var errors = OptionsValidation.Check(options);

        Assert.Equal(
            ["augmentation.maxRotation", "model.dropout", "stage2.batchSize", "validationFraction"],
            errors.Select(e => e.Field).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ScratchTrainingWithoutStage2EpochsIsReported()
    {
        var options = new TrainingOptions
        {
            Method = TrainingMethod.ExpNetFromScratch, Stage2 = new StageOptions { Epochs = 0 },
        };

        var errors = OptionsValidation.Check(options);

        Assert.Equal(["stage2.epochs"], errors.Select(e => e.Field));
    }

    [Fact]
    public void ThrowIfInvalidNamesEveryBadFieldInItsMessage()
    {
        var options = new TrainingOptions
        {
            Stage1 = new StageOptions { BatchSize = 0 },
            Stage2 = new StageOptions { BatchSize = 0 },
        };

        var error = Assert.Throws<ValidationException>(() => OptionsValidation.ThrowIfInvalid(options));

        Assert.Contains("stage1.batchSize", error.Message);
        Assert.Contains("stage2.batchSize", error.Message);
    }
}
