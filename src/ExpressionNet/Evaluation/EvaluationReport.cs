namespace ExpressionNet.Evaluation;

/// <summary>Precision, recall and F1 of one class.</summary>
/// <param name="Label">The class.</param>
/// <param name="Precision">Share of the images predicted as this class that are of it.</param>
/// <param name="Recall">Share of the images of this class predicted as it (its accuracy).</param>
/// <param name="F1">Harmonic mean of precision and recall.</param>
/// <param name="Support">Images of this class.</param>
public sealed record ClassMetrics(string Label, double Precision, double Recall, double F1, int Support);

/// <summary>How well a model's predictions match the labels of a set of images.</summary>
/// <param name="Count">Images measured.</param>
/// <param name="Accuracy">Share predicted right.</param>
/// <param name="MeanClassAccuracy">Mean of the per-class recalls, blind to class sizes.</param>
/// <param name="MacroF1">Mean of the per-class F1 scores.</param>
/// <param name="Classes">Per-class figures, in label order.</param>
/// <param name="Labels">Class names, in the order of the confusion matrix.</param>
/// <param name="Confusion">Counts, row = true class, column = predicted class.</param>
public sealed record EvaluationReport(
    int Count,
    double Accuracy,
    double MeanClassAccuracy,
    double MacroF1,
    IReadOnlyList<ClassMetrics> Classes,
    IReadOnlyList<string> Labels,
    IReadOnlyList<IReadOnlyList<int>> Confusion)
{
    /// <summary>Measures predictions against the truth.</summary>
    public static EvaluationReport From(IReadOnlyList<int> truth, IReadOnlyList<int> predicted, IReadOnlyList<string> labels)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(predicted.Count, truth.Count);
        var k = labels.Count;
        var confusion = new int[k][];
        for (var i = 0; i < k; i++)
        {
            confusion[i] = new int[k];
        }

        for (var i = 0; i < truth.Count; i++)
        {
            confusion[truth[i]][predicted[i]]++;
        }

        var classes = new List<ClassMetrics>(k);
        for (var c = 0; c < k; c++)
        {
            var support = confusion[c].Sum();
            var predictedAs = confusion.Sum(row => row[c]);
            var hits = confusion[c][c];
            var precision = predictedAs == 0 ? 0 : (double)hits / predictedAs;
            var recall = support == 0 ? 0 : (double)hits / support;
            var f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
            classes.Add(new ClassMetrics(labels[c], precision, recall, f1, support));
        }

        var present = classes.Where(c => c.Support > 0).ToList();
        var correct = Enumerable.Range(0, k).Sum(c => confusion[c][c]);
        return new EvaluationReport(
            truth.Count,
            truth.Count == 0 ? 0 : (double)correct / truth.Count,
            present.Count == 0 ? 0 : present.Average(c => c.Recall),
            present.Count == 0 ? 0 : present.Average(c => c.F1),
            classes,
            labels,
            confusion);
    }
}
