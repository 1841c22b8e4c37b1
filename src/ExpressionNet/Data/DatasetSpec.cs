namespace ExpressionNet.Data;

/// <summary>
/// Where a labelled image set lives and how to read it. Images sit in one folder per label
/// (<c>root/&lt;label&gt;/*.png</c>), optionally under split folders (<c>train/</c>, <c>test/</c>),
/// or are listed by a CSV manifest of <c>path,label[,subject]</c>.
/// </summary>
public sealed record DatasetSpec
{
    /// <summary>The data set's root folder.</summary>
    public required string Root { get; init; }

    /// <summary>
    /// A CSV manifest, relative to <see cref="Root"/>, listing <c>path,label[,subject]</c> per line;
    /// paths are relative to the manifest's folder. When set, the folders are not scanned.
    /// </summary>
    public string? Manifest { get; init; }

    /// <summary>
    /// The training images: a folder under <see cref="Root"/> holding one folder per label, optionally
    /// ending in a file-name pattern (<c>test/PublicTest_*</c>). Defaults to <c>train</c> when that
    /// folder exists, else the root itself.
    /// </summary>
    public string? Train { get; init; }

    /// <summary>Validation images, in the form of <see cref="Train"/>; when unset, split off the training set.</summary>
    public string? Validation { get; init; }

    /// <summary>Test images, in the form of <see cref="Train"/>; defaults to <c>test</c> when that folder exists.</summary>
    public string? Test { get; init; }

    /// <summary>
    /// A regular expression matched against each file name (without folders) that yields the subject
    /// (person) id: the group named <c>subject</c>, else the first group, else the whole match.
    /// Images of one subject never straddle two splits or folds.
    /// </summary>
    public string? SubjectPattern { get; init; }

    /// <summary>The labels to use, in order; others are ignored. Defaults to every label found, sorted.</summary>
    public IReadOnlyList<string>? Labels { get; init; }
}
