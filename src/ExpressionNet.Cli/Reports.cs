using ExpressionNet.Evaluation;
using Spectre.Console;

namespace ExpressionNet.Cli;

/// <summary>Evaluation reports as terminal text.</summary>
internal static class Reports
{
    public static string Summary(EvaluationReport report) =>
        $"accuracy {report.Accuracy:P2}, mean class accuracy {report.MeanClassAccuracy:P2}, macro F1 {report.MacroF1:F3} ({report.Count} images)";

    public static Table Table(EvaluationReport report)
    {
        var table = new Table().AddColumns("class", "precision", "recall", "F1", "images");
        foreach (var c in report.Classes)
        {
            table.AddRow(c.Label, $"{c.Precision:P1}", $"{c.Recall:P1}", $"{c.F1:F3}", $"{c.Support}");
        }

        return table;
    }
}
