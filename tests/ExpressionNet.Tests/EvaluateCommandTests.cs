using System.Text.Json;

namespace ExpressionNet.Tests;

public sealed class EvaluateCommandTests : IDisposable
{
    private readonly TemporaryFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task HelpDescribesEveryOption()
    {
        var run = await Expnet.RunAsync(_folder.Path, "evaluate", "--help");

        Assert.Equal(0, run.ExitCode);
        Expnet.AssertDescribesEveryOption(run.Output, "Evaluate");
    }

    [Fact]
    public async Task CheckpointWithCorruptedWeightsFailsWithOneErrorLine()
    {
        WriteTestImages();
        TinyCheckpoint.Save(_folder["model"], ["happy", "sad"]);
        var weights = File.ReadAllBytes(_folder["model/model.weights"]);
        weights[^10] ^= 0xFF;
        File.WriteAllBytes(_folder["model/model.weights"], weights);

        var run = await Expnet.RunAsync(
            _folder.Path, "evaluate", "--model", "model", "--data", "faces", "--device", "cpu");

        Assert.Contains("do not match its metadata", run.SingleError());
    }

    [Fact]
    public async Task NeitherModelNorFoldsFailsSayingWhichToGive()
    {
        var run = await Expnet.RunAsync(_folder.Path, "evaluate", "--data", "faces");

        Assert.Equal(
            "error: Give either --model <CHECKPOINT> to measure a model or --folds <K> to cross-validate.",
            run.SingleError());
    }

    [Fact]
    public async Task HealthyCheckpointIsMeasuredOnTheTestImagesAndReported()
    {
        WriteTestImages();
        TinyCheckpoint.Save(_folder["model"], ["happy", "sad"]);

        var run = await Expnet.RunAsync(
            _folder.Path, "evaluate", "--model", "model", "--data", "faces", "--device", "cpu",
            "--report", "report.json");

        Assert.True(run.ExitCode == 0, run.Output + run.Error);
        Assert.Contains("tiny, test split: accuracy", run.Output);
        using var report = JsonDocument.Parse(File.ReadAllBytes(_folder["report.json"]));
        Assert.Equal(4, report.RootElement.GetProperty("count").GetInt32());
    }

    // Two training and four test images of two classes, under faces/.
    private void WriteTestImages()
    {
        _folder.CopyShared("fer2013/train/happy/Training_10019449.png", "faces/train/happy/1.png");
        _folder.CopyShared("fer2013/train/sad/Training_10022789.png", "faces/train/sad/1.png");
        _folder.CopyShared("fer2013/test/happy/PrivateTest_10077120.png", "faces/test/happy/1.png");
        _folder.CopyShared("fer2013/test/happy/PrivateTest_10470092.png", "faces/test/happy/2.png");
        _folder.CopyShared("fer2013/test/sad/PrivateTest_10247676.png", "faces/test/sad/1.png");
        _folder.CopyShared("fer2013/test/sad/PrivateTest_10455506.png", "faces/test/sad/2.png");
    }
}
