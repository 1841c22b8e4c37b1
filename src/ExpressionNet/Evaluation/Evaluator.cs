using ExpressionNet.Checkpoints;
using ExpressionNet.Data;
using static TorchSharp.torch;

namespace ExpressionNet.Evaluation;

/// <summary>Scores a set of images with a model and measures the predictions.</summary>
public static class Evaluator
{
    /// <summary>
    /// Predicts every image of <paramref name="set"/> from its view number <paramref name="view"/>
    /// (which must match the model's preprocessing) and compares with the labels.
    /// </summary>
    public static EvaluationReport Evaluate(
        ExpressionModel model, ImageSet set, int view = 0, int batchSize = 256, CancellationToken cancellationToken = default)
    {
        var pixels = set.Views[view];
        var expected = model.Preprocessing;
        if (pixels.shape[1] != expected.Channels || pixels.shape[2] != expected.InputSize)
        {
            throw new ArgumentException(
                $"View {view} holds {pixels.shape[1]}x{pixels.shape[2]}px images; the model reads "
                + $"{expected.Channels}x{expected.InputSize}px.", nameof(view));
        }

        var predicted = new List<int>(set.Count);
        for (long start = 0; start < set.Count; start += batchSize)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var batch = pixels.narrow(0, start, Math.Min(batchSize, set.Count - start));
            predicted.AddRange(model.Probabilities(batch).argmax(1).data<long>().Select(p => (int)p));
        }

        var truth = set.Labels.data<long>().Select(l => (int)l).ToList();
        return EvaluationReport.From(truth, predicted, model.Labels);
    }
}
