using ExpressionNet.Evaluation;

namespace ExpressionNet.Tests;

public class EvaluationReportTests
{
    private const double Precision = 1e-12;

    // Rows are the true classes, columns the predictions; nothing is of class d, one image is taken for it.
    //        a  b  c  d
    //   a    3  1  0  0
    //   b    0  2  0  0
    //   c    1  1  1  1
    private static readonly int[] _truth = [0, 0, 0, 0, 1, 1, 2, 2, 2, 2];
    private static readonly int[] _predicted = [0, 0, 0, 1, 1, 1, 0, 1, 2, 3];
    private static readonly string[] _labels = ["a", "b", "c", "d"];

    [Fact]
    public void AccuracyIsTheShareOfImagesPredictedRight()
    {
        var report = EvaluationReport.From(_truth, _predicted, _labels);

        Assert.Equal(10, report.Count);
        Assert.Equal(0.6, report.Accuracy, Precision);
    }

    [Fact]
    public void ConfusionMatrixCountsTrueClassesByRowAndPredictionsByColumn()
    {
        var report = EvaluationReport.From(_truth, _predicted, _labels);

        Assert.Equal(_labels, report.Labels);
        Assert.Equal([3, 1, 0, 0], report.Confusion[0]);
        Assert.Equal([0, 2, 0, 0], report.Confusion[1]);
        Assert.Equal([1, 1, 1, 1], report.Confusion[2]);
        Assert.Equal([0, 0, 0, 0], report.Confusion[3]);
    }

    [Fact]
    public void PerClassPrecisionRecallAndF1MatchTheirDefinitions()
    {
        var report = EvaluationReport.From(_truth, _predicted, _labels);

        AssertClass(report.Classes[0], "a", precision: 0.75, recall: 0.75, f1: 0.75, support: 4);
        AssertClass(report.Classes[1], "b", precision: 0.5, recall: 1, f1: 2.0 / 3, support: 2);
        AssertClass(report.Classes[2], "c", precision: 1, recall: 0.25, f1: 0.4, support: 4);
        AssertClass(report.Classes[3], "d", precision: 0, recall: 0, f1: 0, support: 0);
    }

    [Fact]
    public void MeanClassAccuracyAndMacroF1IgnoreClassesWithoutImages()
    {
        var report = EvaluationReport.From(_truth, _predicted, _labels);

        Assert.Equal((0.75 + 1 + 0.25) / 3, report.MeanClassAccuracy, Precision);
        Assert.Equal((0.75 + 2.0 / 3 + 0.4) / 3, report.MacroF1, Precision);
    }

    [Fact]
    public void NoImagesGiveZeroesRatherThanNaN()
    {
        var report = EvaluationReport.From([], [], _labels);

        Assert.Equal((0, 0.0, 0.0, 0.0), (report.Count, report.Accuracy, report.MeanClassAccuracy, report.MacroF1));
    }

    [Fact]
    public void PredictionsAndLabelsOfDifferentLengthsAreRejected() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => EvaluationReport.From([0, 1], [0], _labels));

    private static void AssertClass(
        ClassMetrics actual, string label, double precision, double recall, double f1, int support)
    {
        Assert.Equal(label, actual.Label);
        Assert.Equal(precision, actual.Precision, Precision);
        Assert.Equal(recall, actual.Recall, Precision);
        Assert.Equal(f1, actual.F1, Precision);
        Assert.Equal(support, actual.Support);
    }
}
