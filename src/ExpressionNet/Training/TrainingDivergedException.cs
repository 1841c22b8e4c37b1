namespace ExpressionNet.Training;

/// <summary>
/// Training produced a loss that is not a finite number, so the weights are ruined; usually the
/// learning rate is too high for the stage.
/// </summary>
public sealed class TrainingDivergedException : Exception
{
    public TrainingDivergedException(TrainingStage stage, int epoch, int step, double learningRate)
        : base($"Training diverged in {stage}, epoch {epoch}, step {step}: the loss is not a finite number "
            + $"(learning rate {learningRate:G3}). Lower the stage's learning rate.")
    {
    }

    public TrainingDivergedException(string message)
        : base(message)
    {
    }

    public TrainingDivergedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public TrainingDivergedException()
    {
    }
}
