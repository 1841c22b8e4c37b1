using ExpressionNet.Cli.Commands;
using ExpressionNet.Training;

namespace ExpressionNet.Tests;

/// <summary>The training configurations in configs/ that README.md's commands run.</summary>
public sealed class ConfigFilesTests : IDisposable
{
    private readonly TemporaryFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    public static TheoryData<string> Configs => new(
        Directory.EnumerateFiles(Path.Combine(SharedData.RepositoryRoot, "configs"), "*.json")
            .Select(Path.GetFileName)
            .Order(StringComparer.Ordinal)!);

    [Theory]
    [MemberData(nameof(Configs))]
    public void ConfigNamesOnlyKnownSettingsAndEveryValueIsValid(string file)
    {
        var config = ConfigFile.Read(Path.Combine(SharedData.RepositoryRoot, "configs", file));

        Assert.NotNull(config.Data);
        Assert.StartsWith("../shared/data/", config.Data.Root, StringComparison.Ordinal);
        Assert.Empty(OptionsValidation.Check(config.Training));
    }

    [Fact]
    public async Task MisspeltSettingFailsWithOneErrorLineNamingIt()
    {
        File.WriteAllText(_folder["config.json"], """{ "training": { "stage2": { "epocks": 3 } } }""");

        var run = await Expnet.RunAsync(_folder.Path, "train", "--config", "config.json", "--output", "model");

        Assert.Contains("epocks", run.SingleError(), StringComparison.Ordinal);
        Assert.NotEqual(0, run.ExitCode);
    }
}
