namespace ExpressionNet.Data;

/// <summary>A data set that cannot be used as asked; the message says why, for a person to read.</summary>
public sealed class DatasetException : Exception
{
    public DatasetException(string message)
        : base(message)
    {
    }

    public DatasetException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public DatasetException()
    {
    }
}
