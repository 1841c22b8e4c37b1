using System.Text.Json;
using System.Text.Json.Serialization;
using ExpressionNet.Checkpoints;
using ExpressionNet.Data;
using ExpressionNet.Training;

namespace ExpressionNet.Tests;

/// <summary>The training configurations in configs/ that README.md's commands run.</summary>
public class ConfigFilesTests
{
    private static readonly JsonSerializerOptions Strict = new(ModelCheckpoint.JsonOptions)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    public static TheoryData<string> Configs => new(
        Directory.EnumerateFiles(Path.Combine(SharedData.RepositoryRoot, "configs"), "*.json")
            .Select(Path.GetFileName)
            .Order(StringComparer.Ordinal)!);

    [Theory]
    [MemberData(nameof(Configs))]
    public void ConfigNamesOnlyKnownSettingsAndEveryValueIsValid(string file)
    {
        var config = JsonSerializer.Deserialize<Config>(
            File.ReadAllBytes(Path.Combine(SharedData.RepositoryRoot, "configs", file)), Strict)!;

        Assert.NotNull(config.Data);
        Assert.StartsWith("../shared/data/", config.Data.Root, StringComparison.Ordinal);
        Assert.Empty(OptionsValidation.Check(config.Training));
    }

    private sealed record Config(DatasetSpec Data, TrainingOptions Training);
}
