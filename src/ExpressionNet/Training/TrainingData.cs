using ExpressionNet.Data;

namespace ExpressionNet.Training;

/// <summary>
/// The decoded images a <see cref="Trainer"/> learns from. Every set holds the views that
/// <see cref="Trainer.ViewsFor"/> asks for, in that order.
/// </summary>
/// <param name="Labels">Class names, in label-index order.</param>
/// <param name="Train">Training images.</param>
/// <param name="Validation">Validation images, for early stopping and model selection; may be empty.</param>
public sealed record TrainingData(IReadOnlyList<string> Labels, ImageSet Train, ImageSet? Validation);
