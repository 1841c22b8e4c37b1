using BenchmarkDotNet.Attributes;
using ExpressionNet.Checkpoints;
using ExpressionNet.Detection;
using ExpressionNet.Training;
using ExpressionNet.Weights;
using ExpressionNet.Data;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using static TorchSharp.torch;

namespace ExpressionService.Bench;

/// <summary>
/// The model's own limit: one call of what the inference worker runs per batch (normalisation and
/// the flip-averaged forward pass the shipped model's metadata asks for), in process, no HTTP.
/// </summary>
public class ModelThroughput
{
    internal static string Device { get; set; } = "auto";

    private ExpressionModel _model = null!;
    private Tensor _pixels = null!;

    [Params(1, 8, 32, 64)]
    public int Batch { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _model = ModelCheckpoint.Load(Paths.Model, Devices.Resolve(Device));
        var p = _model.Preprocessing;
        _pixels = randint(0, 256, [Batch, p.Channels, p.InputSize, p.InputSize], ScalarType.Byte);
        using var warm = _model.Probabilities(_pixels);
    }

    [Benchmark]
    public void Classify()
    {
        using var probabilities = _model.Probabilities(_pixels);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _pixels.Dispose();
        _model.Dispose();
    }
}

/// <summary>
/// Preprocessing of one upload as /classify does it: decode, orient, find the faces (portraits
/// only) and crop each to the model's input.
/// </summary>
public class PreprocessingThroughput
{
    internal static string Device { get; set; } = "auto";

    private FaceDetector _detector = null!;
    private Preprocessing _preprocessing = null!;
    private byte[] _bytes = [];

    [Params("portrait 450x450 JPEG, detection on", "crop 48x48 PNG, detection off")]
    public string Input { get; set; } = "";

    private bool Detect => Input.StartsWith("portrait", StringComparison.Ordinal);

    [GlobalSetup]
    public void Setup()
    {
        _detector = FaceDetector.Load(FaceApiModels.DefaultDirectory, device: Devices.Resolve(Device));
        _preprocessing = ModelCheckpoint.ReadMetadata(Paths.Model).Preprocessing;
        _bytes = File.ReadAllBytes(Detect ? Paths.Portrait : Paths.Crop);
    }

    [Benchmark]
    public int DecodeDetectCrop()
    {
        using var image = Image.Load<Rgb24>(_bytes);
        image.Mutate(x => x.AutoOrient());
        var boxes = Detect ? _detector.Detect(image).Select(f => (RectangleF?)f.Box).ToList() : [null];
        return boxes.Sum(box => FaceCrop.Pixels(
            image, FaceCrop.Region(image.Size(), box, _preprocessing.FaceMargin), _preprocessing.InputSize, _preprocessing.Channels).Length);
    }

    [GlobalCleanup]
    public void Cleanup() => _detector.Dispose();
}
