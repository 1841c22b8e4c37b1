using ExpressionNet.Checkpoints;

namespace ExpressionService.Registry;

/// <summary>A model of the registry in the model list.</summary>
/// <param name="Name">The model's name.</param>
/// <param name="Versions">Its versions, oldest first.</param>
/// <param name="Production">Its production version, if any.</param>
/// <param name="Previous">The version production replaced, if any.</param>
/// <param name="Serving">Whether its production version is the one in service.</param>
public sealed record ModelSummary(string Name, IReadOnlyList<int> Versions, int? Production, int? Previous, bool Serving);

/// <summary>One version of a model: its metadata (labels, architecture, training, metrics) and report files.</summary>
/// <param name="Name">The model's name.</param>
/// <param name="Version">The version.</param>
/// <param name="Aliases">The aliases pointing at this version (production, previous).</param>
/// <param name="Metadata">The checkpoint's metadata.</param>
/// <param name="Report">The report files, for /report/{file}.</param>
public sealed record ModelVersionDetails(
    string Name, int Version, IReadOnlyList<string> Aliases, ModelMetadata Metadata, IReadOnlyList<string> Report);
