using System.Text.Json;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace ExpressionNet.Tests;

/// <summary>
/// TestData/face-detections.json: face-api's own detections on images composed from shared photos,
/// written by tools/face-api/reference-detections.mjs.
/// </summary>
public sealed record FaceDetectionReference(IReadOnlyList<ReferenceImage> Images)
{
    private static readonly JsonSerializerOptions _json = new(JsonSerializerDefaults.Web);

    public static FaceDetectionReference Instance { get; } = Read();

    public ReferenceImage this[string name] => Images.Single(i => i.Name == name);

    private static FaceDetectionReference Read()
    {
        var path = SharedData.TestData("face-detections.json");
        return JsonSerializer.Deserialize<FaceDetectionReference>(File.ReadAllBytes(path), _json)
            ?? throw new InvalidDataException($"{path} is empty.");
    }
}

public sealed record ReferenceImage(
    string Name,
    int Width,
    int Height,
    int[] Fill,
    IReadOnlyList<PhotoPlacement> Photos,
    IReadOnlyList<ReferenceRun> Runs)
{
    public Image<Rgb24> Compose() => SharedData.Compose(
        Width, Height, new Rgb24((byte)Fill[0], (byte)Fill[1], (byte)Fill[2]),
        [.. Photos.Select(p => (p.File, p.X, p.Y))]);
}

public sealed record PhotoPlacement(string File, int X, int Y);

public sealed record ReferenceRun(int InputSize, float ScoreThreshold, IReadOnlyList<ReferenceFace> Faces);

/// <summary>A face as face-api returns it: in image pixels, not clipped to the image.</summary>
public sealed record ReferenceFace(double X, double Y, double Width, double Height, double Score);
