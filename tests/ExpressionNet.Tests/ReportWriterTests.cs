using System.Text.Json;
using ExpressionNet.Checkpoints;
using ExpressionNet.Data;
using ExpressionNet.Evaluation;
using ExpressionNet.Models;
using ExpressionNet.Training;
using SixLabors.ImageSharp;

namespace ExpressionNet.Tests;

public sealed class ReportWriterTests : IDisposable
{
    private static readonly byte[] _pngSignature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    private readonly TemporaryFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void MetricsJsonHoldsTheMeasurementsAndTheHistory()
    {
        ReportWriter.Write(_folder.Path, Metadata());

        using var metrics = JsonDocument.Parse(File.ReadAllBytes(_folder[ReportWriter.MetricsFile]));

        var root = metrics.RootElement;
        Assert.Equal("report-test", root.GetProperty("model").GetString());
        Assert.Equal(0.75, root.GetProperty("test").GetProperty("accuracy").GetDouble());
        Assert.Equal(0.5, root.GetProperty("validation").GetProperty("accuracy").GetDouble());
        Assert.Equal(5, root.GetProperty("history").GetArrayLength());
        Assert.Equal(["angry", "happy"], root.GetProperty("labels").EnumerateArray().Select(l => l.GetString()));
    }

    [Fact]
    public void CurvesOfEveryStageAndTheConfusionMatrixArePlotted()
    {
        var written = ReportWriter.Write(_folder.Path, Metadata());

        Assert.Equal(
            ["confusion-matrix.png", "metrics.json", "stage1-loss.png", "stage2-accuracy.png", "stage2-loss.png"],
            written.Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void PlotsArePngImagesThatImageSharpCanRead()
    {
        var written = ReportWriter.Write(_folder.Path, Metadata());

        var plots = written.Where(f => f.EndsWith(".png", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(plots);
        Assert.All(plots, plot =>
        {
            Assert.Equal(_pngSignature, File.ReadAllBytes(plot).Take(8));
            var info = Image.Identify(plot);
            Assert.NotNull(info);
            Assert.InRange(info.Width, 100, 4000);
            Assert.InRange(info.Height, 100, 4000);
        });
    }

    [Fact]
    public void ModelWithoutTestImagesGetsNoConfusionMatrix()
    {
        var metadata = Metadata() with { Metrics = new ModelMetrics(null, null) };

        var written = ReportWriter.Write(_folder.Path, metadata);

        Assert.DoesNotContain(written, f => Path.GetFileName(f) == "confusion-matrix.png");
        Assert.False(File.Exists(_folder["confusion-matrix.png"]));
    }

    private static ModelMetadata Metadata()
    {
        string[] labels = ["angry", "happy"];
        var second = TimeSpan.FromSeconds(1);
        return new ModelMetadata
        {
            Name = "report-test",
            Labels = labels,
            Architecture = new ModelArchitecture { Kind = ModelKind.ExpNet, ExpNet = new ExpNetOptions() },
            Preprocessing = new Preprocessing(),
            WeightsSha256 = "",
            Metrics = new ModelMetrics(
                EvaluationReport.From([0, 0, 1, 1], [0, 1, 1, 1], labels),
                EvaluationReport.From([0, 1], [1, 1], labels)),
            History =
            [
                new EpochResult(TrainingStage.Stage1, 1, 0.9, null, 0.8, null, 1e-3, second),
                new EpochResult(TrainingStage.Stage1, 2, 0.5, null, 0.6, null, 5e-4, second),
                new EpochResult(TrainingStage.Stage2, 1, 1.2, 0.4, 1.1, 0.45, 1e-2, second),
                new EpochResult(TrainingStage.Stage2, 2, 0.8, 0.6, 0.9, 0.55, 5e-3, second),
                new EpochResult(TrainingStage.Stage2, 3, 0.6, 0.7, null, null, 1e-3, second),
            ],
        };
    }
}
