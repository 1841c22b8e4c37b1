using System.Text.Json;
using ExpressionNet.Checkpoints;

namespace ExpressionNet.Tests;

/// <summary>
/// The model the repository ships in models/default, measured again by <c>expnet evaluate</c> on
/// FER2013's PrivateTest images: it must score what its metadata says it scored when it was
/// trained, and at least what the small CNNs of today's open-source emotion libraries score.
/// </summary>
[Trait("Category", "Acceptance")]
public sealed class ShippedModelTests : IDisposable
{
    private const double RequiredAccuracy = 0.66;
    private const double AllowedDrift = 0.005;

    private readonly TemporaryFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private static string ShippedModel => Path.Combine(SharedData.RepositoryRoot, "models", "default");

    [Fact]
    public async Task PrivateTestAccuracyMatchesTheMetadataAndBeatsTheOpenSourceBaseline()
    {
        var recorded = ModelCheckpoint.ReadMetadata(ShippedModel).Metrics?.Test
            ?? throw new InvalidOperationException("The shipped model's metadata records no test measurements.");

        var run = await Expnet.RunAsync(
            _folder.Path, "evaluate", "--model", ShippedModel, "--data", Path.Combine(SharedData.Root, "fer2013"),
            "--test", "test/PrivateTest_*", "--device", "cpu", "--report", "report.json");

        Assert.True(run.ExitCode == 0, run.Output + run.Error);
        using var report = JsonDocument.Parse(File.ReadAllBytes(_folder["report.json"]));
        var accuracy = report.RootElement.GetProperty("accuracy").GetDouble();
        Assert.Equal(3589, report.RootElement.GetProperty("count").GetInt32());
        Assert.InRange(accuracy, recorded.Accuracy - AllowedDrift, recorded.Accuracy + AllowedDrift);
        Assert.True(accuracy >= RequiredAccuracy, $"PrivateTest accuracy {accuracy:P2} is below {RequiredAccuracy:P0}.");
    }
}
