using System.Text.Json;
using ExpressionNet.Checkpoints;
using ExpressionNet.Training;
using ScottPlot;

namespace ExpressionNet.Evaluation;

/// <summary>
/// Writes a model's report folder: <c>metrics.json</c> (test and validation measurements and
/// the epoch history) and PNG plots of the loss and accuracy curves per stage and of the test
/// confusion matrix.
/// </summary>
public static class ReportWriter
{
    /// <summary>The metrics document's file name.</summary>
    public const string MetricsFile = "metrics.json";

    /// <summary>Writes the report and returns the files written.</summary>
    public static IReadOnlyList<string> Write(string folder, ModelMetadata metadata)
    {
        Directory.CreateDirectory(folder);
        var written = new List<string>();

        var metrics = new
        {
            model = metadata.Name,
            method = metadata.Method,
            labels = metadata.Labels,
            test = metadata.Metrics?.Test,
            validation = metadata.Metrics?.Validation,
            data = metadata.Data,
            history = metadata.History,
        };
        var metricsPath = Path.Combine(folder, MetricsFile);
        File.WriteAllBytes(metricsPath, JsonSerializer.SerializeToUtf8Bytes(metrics, ModelCheckpoint.JsonOptions));
        written.Add(metricsPath);

        foreach (var stage in metadata.History.Select(h => h.Stage).Distinct())
        {
            var epochs = metadata.History.Where(h => h.Stage == stage).ToList();
            var name = StageFileName(stage);
            written.Add(PlotCurves(
                Path.Combine(folder, $"{name}-loss.png"), $"{StageTitle(stage)}: loss", "loss", epochs,
                e => e.TrainLoss, e => e.ValidationLoss));
            if (epochs.Any(e => e.TrainAccuracy is not null))
            {
                written.Add(PlotCurves(
                    Path.Combine(folder, $"{name}-accuracy.png"), $"{StageTitle(stage)}: accuracy", "accuracy", epochs,
                    e => e.TrainAccuracy, e => e.ValidationAccuracy));
            }
        }

        if (metadata.Metrics?.Test is { } test)
        {
            written.Add(PlotConfusion(Path.Combine(folder, "confusion-matrix.png"), test));
        }

        return written;
    }

    private static string PlotCurves(
        string path, string title, string measure, IReadOnlyList<EpochResult> epochs,
        Func<EpochResult, double?> train, Func<EpochResult, double?> validation)
    {
        var plot = new Plot();
        AddSeries(plot, epochs, train, "training");
        AddSeries(plot, epochs, validation, "validation");
        plot.Title(title);
        plot.XLabel("epoch");
        plot.YLabel(measure);
        plot.ShowLegend(Alignment.UpperRight);
        plot.SavePng(path, 640, 420);
        return path;
    }

    private static void AddSeries(Plot plot, IReadOnlyList<EpochResult> epochs, Func<EpochResult, double?> value, string label)
    {
        var points = epochs.Where(e => value(e) is not null).ToList();
        if (points.Count == 0)
        {
            return;
        }

        var scatter = plot.Add.Scatter(
            points.Select(e => (double)e.Epoch).ToArray(), points.Select(e => value(e)!.Value).ToArray());
        scatter.LegendText = label;
    }

    private static string PlotConfusion(string path, EvaluationReport report)
    {
        var k = report.Labels.Count;

        // Rows are normalised so that each true class reads as shares of its own images.
        var shares = new double[k, k];
        for (var t = 0; t < k; t++)
        {
            var total = Math.Max(1, report.Confusion[t].Sum());
            for (var p = 0; p < k; p++)
            {
                shares[t, p] = (double)report.Confusion[t][p] / total;
            }
        }

        var plot = new Plot();
        var heatmap = plot.Add.Heatmap(shares);
        heatmap.Colormap = new ScottPlot.Colormaps.Blues();
        heatmap.FlipVertically = true;
        plot.Add.ColorBar(heatmap);

        for (var t = 0; t < k; t++)
        {
            for (var p = 0; p < k; p++)
            {
                var text = plot.Add.Text(report.Confusion[t][p].ToString(), p, t);
                text.LabelAlignment = Alignment.MiddleCenter;
                text.LabelFontColor = shares[t, p] > 0.5 ? Colors.White : Colors.Black;
            }
        }

        var ticks = Enumerable.Range(0, k).Select(i => (double)i).ToArray();
        plot.Axes.Bottom.SetTicks(ticks, report.Labels.ToArray());
        plot.Axes.Left.SetTicks(ticks, report.Labels.ToArray());
        plot.Axes.InvertY();
        plot.Title($"Confusion matrix (accuracy {report.Accuracy:P1}, {report.Count} images)");
        plot.XLabel("predicted");
        plot.YLabel("true");
        plot.SavePng(path, 120 + 70 * k + 140, 120 + 70 * k);
        return path;
    }

    private static string StageFileName(TrainingStage stage) => stage switch
    {
        TrainingStage.FineTuningFaceNet => "facenet-finetuning",
        TrainingStage.Stage1 => "stage1",
        TrainingStage.Stage2 => "stage2",
        _ => stage.ToString().ToLowerInvariant(),
    };

    private static string StageTitle(TrainingStage stage) => stage switch
    {
        TrainingStage.FineTuningFaceNet => "Face-net fine-tuning",
        TrainingStage.Stage1 => "Stage 1 (regression onto the face net)",
        TrainingStage.Stage2 => "Stage 2 (labels)",
        _ => stage.ToString(),
    };
}
