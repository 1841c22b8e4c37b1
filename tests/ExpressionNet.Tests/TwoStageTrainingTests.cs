using ExpressionNet.Data;
using ExpressionNet.Models;
using ExpressionNet.Training;

namespace ExpressionNet.Tests;

public class TwoStageTrainingTests
{
    private static readonly string FrlRoot = Path.Combine(SharedData.Root, "frl-london");

    [Fact]
    public void TinyTwoStageModelTrainedOnRealPortraitsBeatsChanceOnUnseenPeople()
    {
        using var data = new TemporaryFolder();
        var testSubjects = SplitBySubject(data.Path);
        var options = new TrainingOptions
        {
            Method = TrainingMethod.FaceNet2ExpNet,
            DetectFaces = true,
            Model = new ExpNetOptions { InputSize = 32, Widths = [16, 32, 64, 64, 64], BatchNorm = true, HiddenUnits = 32 },
            FaceNet = new FaceNetOptions
            {
                InputSize = 112,
                TrainableBlocks = 1,
                Stage = new StageOptions { Epochs = 1, BatchSize = 16, LearningRate = 3e-4, Optimizer = OptimizerKind.AdamW },
            },
            Stage1 = new StageOptions { Epochs = 2, BatchSize = 16, LearningRate = 3e-3, Optimizer = OptimizerKind.AdamW },
            Stage2 = new StageOptions
            {
                Epochs = 20, BatchSize = 16, LearningRate = 1e-3, Optimizer = OptimizerKind.AdamW, WeightDecay = 0.01,
            },

            // A hundred and sixty portraits are too few to learn a smile through shifted and rotated crops.
            Augmentation = Augmentation.None with { Flip = true },
            ValidationFraction = 0,
        };

        var outcome = new TrainingPipeline(options).Train(
            new DatasetSpec { Root = data.Path, SubjectPattern = @"^(\d+)" }, "tiny", Path.Combine(data.Path, "model"));

        var test = outcome.Metadata.Metrics!.Test!;
        Assert.Equal(["happy", "neutral"], outcome.Metadata.Labels);
        Assert.True(test.Count >= 30, $"only {test.Count} test portraits");
        Assert.True(test.Accuracy >= 0.7, $"accuracy {test.Accuracy:P1} on {test.Count} portraits of {testSubjects} unseen people");
        Assert.Contains(outcome.Metadata.History, e => e.Stage == TrainingStage.FineTuningFaceNet);
        Assert.Contains(outcome.Metadata.History, e => e.Stage == TrainingStage.Stage1);
        Assert.Contains(outcome.Metadata.History, e => e.Stage == TrainingStage.Stage2);
    }

    // Lays the FRL portraits out as train/ and test/ folders of links, a fifth of the people in test/.
    private static int SplitBySubject(string folder)
    {
        var subjects = Directory.EnumerateFiles(Path.Combine(FrlRoot, "neutral"), "*.jpg")
            .Select(Path.GetFileNameWithoutExtension)
            .Order(StringComparer.Ordinal)
            .ToList();
        var test = subjects.Where((_, i) => i % 5 == 0).ToHashSet();
        foreach (var label in new[] { "happy", "neutral" })
        {
            foreach (var split in new[] { "train", "test" })
            {
                Directory.CreateDirectory(Path.Combine(folder, split, label));
            }

            foreach (var subject in subjects)
            {
                var split = test.Contains(subject) ? "test" : "train";
                File.CreateSymbolicLink(
                    Path.Combine(folder, split, label, $"{subject}.jpg"), Path.Combine(FrlRoot, label, $"{subject}.jpg"));
            }
        }

        return test.Count;
    }
}
