using System.Text.Json;

namespace ExpressionNet.Tests;

public sealed class PredictCommandTests : IDisposable
{
    private static readonly string[] _labels = ["happy", "sad"];

    private readonly TemporaryFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task HelpDescribesEveryOptionAndTheImagesArgument()
    {
        var run = await Expnet.RunAsync(_folder.Path, "predict", "--help");

        Assert.Equal(0, run.ExitCode);
        Expnet.AssertDescribesEveryOption(run.Output, "Predict");
        Assert.Matches(@"<IMAGES>[ ]{2,}\w", run.Output);
    }

    [Fact]
    public async Task FileThatIsNoImageFailsWithOneErrorLine()
    {
        TinyCheckpoint.Save(_folder["model"], _labels);
        _folder.WriteText("notes.jpg", "These are notes, not a photo.");

        var run = await Expnet.RunAsync(
            _folder.Path, "predict", "--model", "model", "--no-detect", "--device", "cpu", "notes.jpg");

        Assert.Contains("'notes.jpg' is not a readable image", run.SingleError());
    }

    [Fact]
    public async Task MissingImageFailsNamingIt()
    {
        TinyCheckpoint.Save(_folder["model"], _labels);

        var run = await Expnet.RunAsync(
            _folder.Path, "predict", "--model", "model", "--no-detect", "--device", "cpu", "gone.png");

        Assert.Equal("error: The image 'gone.png' does not exist.", run.SingleError());
    }

    [Fact]
    public async Task JsonPredictionsAloneAreWrittenToStandardOutput()
    {
        TinyCheckpoint.Save(_folder["model"], _labels);
        _folder.CopyShared("fer2013/test/happy/PrivateTest_10077120.png", "face.png");

        var run = await Expnet.RunAsync(
            _folder.Path, "predict", "--model", "model", "--no-detect", "--json", "--device", "cpu", "face.png");

        Assert.True(run.ExitCode == 0, run.Output + run.Error);
        using var document = JsonDocument.Parse(run.Output);
        var face = Assert.Single(document.RootElement.GetProperty("images")[0].GetProperty("faces").EnumerateArray());
        Assert.Contains(face.GetProperty("label").GetString(), _labels);
        var scores = face.GetProperty("scores").EnumerateObject().Select(s => s.Value.GetDouble());
        Assert.Equal(1, scores.Sum(), 1e-5);
    }
}
