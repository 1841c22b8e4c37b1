namespace ExpressionService.Classification;

/// <summary>The model version that answered a request.</summary>
/// <param name="Name">Model name in the registry.</param>
/// <param name="Version">Registry version.</param>
public sealed record ModelInfo(string Name, int Version);

/// <summary>A face's bounding box in the uploaded image's pixels (after EXIF orientation).</summary>
public sealed record FaceBox(int X, int Y, int Width, int Height);

/// <summary>One face and its expression.</summary>
/// <param name="Box">Where the face is.</param>
/// <param name="Label">The most likely expression.</param>
/// <param name="Confidence">The probability of <paramref name="Label"/>.</param>
/// <param name="Scores">The probability of every label of the model.</param>
public sealed record FaceResult(FaceBox Box, string Label, float Confidence, IReadOnlyDictionary<string, float> Scores);

/// <summary>The faces of one uploaded image, in the order of the request.</summary>
/// <param name="File">The upload's file name.</param>
/// <param name="Width">Image width in pixels.</param>
/// <param name="Height">Image height in pixels.</param>
/// <param name="Faces">The faces found; empty when there is none.</param>
public sealed record ImageResult(string File, int Width, int Height, IReadOnlyList<FaceResult> Faces);

/// <summary>The answer to /classify.</summary>
/// <param name="Model">The model version that answered.</param>
/// <param name="Images">One entry per uploaded image, in request order.</param>
public sealed record ClassifyResponse(ModelInfo Model, IReadOnlyList<ImageResult> Images);
