namespace ExpressionNet.Data;

/// <summary>The part of a data set an image belongs to.</summary>
public enum DatasetSplit
{
    /// <summary>Training images.</summary>
    Train,

    /// <summary>Images for early stopping and model selection.</summary>
    Validation,

    /// <summary>Held-out images for the final report.</summary>
    Test,
}

/// <summary>One image file of a data set with its label index and subject id.</summary>
public sealed record LabelledImage(string Path, int Label, string Subject, DatasetSplit Split);
