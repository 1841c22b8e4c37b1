namespace ExpressionNet.Checkpoints;

/// <summary>A checkpoint that cannot be loaded; the message says why, for a person to read.</summary>
public sealed class CheckpointException : Exception
{
    public CheckpointException(string message)
        : base(message)
    {
    }

    public CheckpointException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public CheckpointException()
    {
    }
}
