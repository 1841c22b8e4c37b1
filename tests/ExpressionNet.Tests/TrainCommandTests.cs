namespace ExpressionNet.Tests;

public sealed class TrainCommandTests : IDisposable
{
    private readonly TemporaryFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task HelpDescribesEveryOption()
    {
        var run = await Expnet.RunAsync(_folder.Path, "train", "--help");

        Assert.Equal(0, run.ExitCode);
        Expnet.AssertDescribesEveryOption(run.Output, "Train");
    }

    [Fact]
    public async Task MissingDataFolderFailsWithOneErrorLine()
    {
        var run = await Expnet.RunAsync(_folder.Path, "train", "--data", "no-such-folder", "--output", "model");

        Assert.Equal("error: The data set folder 'no-such-folder' does not exist.", run.SingleError());
    }

    [Fact]
    public async Task DataSetWithAnEmptyClassFailsBeforeTraining()
    {
        _folder.CopyShared("fer2013/test/happy/PrivateTest_10077120.png", "faces/happy/1.png");
        _folder.CopyShared("fer2013/test/sad/PrivateTest_10247676.png", "faces/sad/1.png");
        _folder.Folder("faces/fear");

        var run = await Expnet.RunAsync(
            _folder.Path, "train", "--data", "faces", "--output", "model", "--method", "scratch", "--device", "cpu");

        Assert.Contains("no training images for class 'fear'", run.SingleError());
        Assert.False(Directory.Exists(_folder["model"]));
    }

    [Fact]
    public async Task MistypedOptionFailsNamingIt()
    {
        var run = await Expnet.RunAsync(
            _folder.Path, "train", "--data", "faces", "--output", "model", "--stage2-epoch", "3");

        Assert.Equal("error: Unknown option 'stage2-epoch'.", run.SingleError());
    }

    [Fact]
    public async Task SettingOutOfBoundsFailsNamingItsPath()
    {
        var run = await Expnet.RunAsync(
            _folder.Path, "train", "--data", "faces", "--output", "model", "--validation-fraction", "2");

        Assert.Contains("validationFraction", run.SingleError());
    }

    [Fact]
    public async Task MissingOutputFolderOptionFailsSayingWhatToAdd()
    {
        var run = await Expnet.RunAsync(_folder.Path, "train", "--data", "faces");

        Assert.Contains("--output <FOLDER>", run.SingleError());
    }
}
