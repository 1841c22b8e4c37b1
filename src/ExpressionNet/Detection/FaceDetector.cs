using System.ComponentModel.DataAnnotations;
using ExpressionNet.Models;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using TorchSharp;
using static TorchSharp.torch;
using Size = SixLabors.ImageSharp.Size;

namespace ExpressionNet.Detection;

/// <summary>
/// Finds faces with face-api's tiny face detector, reproducing the package's <c>detectAllFaces</c> with
/// <c>TinyFaceDetectorOptions</c>: the same input tensor, box decoding and non-maximum suppression.
/// </summary>
/// <remarks>
/// Images are taken as they are: orient them by their EXIF data first. Detection runs synchronously on
/// the calling thread; concurrent calls are safe, as they only read the net.
/// </remarks>
public sealed class FaceDetector : IDisposable
{
    // Candidates overlapping a better one by more than this intersection-over-union are dropped.
    private const double IouThreshold = 0.4;

    private readonly TinyFaceDetectorNet _net;
    private readonly Device _device;
    private readonly int _inputSize;
    private readonly double _scoreThreshold;
    private readonly int _maxFaces;

    /// <summary>
    /// Wraps a net, which the detector moves to <paramref name="device"/> (the CPU by default) and owns.
    /// </summary>
    /// <exception cref="ValidationException"><paramref name="options"/> holds an invalid setting.</exception>
    public FaceDetector(TinyFaceDetectorNet net, FaceDetectorOptions? options = null, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(net);
        options = Validated(options);

        _device = device ?? CPU;
        _net = net.to(_device);
        _net.eval();
        _inputSize = options.InputSize;
        _scoreThreshold = options.ScoreThreshold;
        _maxFaces = options.MaxFaces;
    }

    /// <summary>Loads the pretrained detector from face-api's weight files in a folder.</summary>
    /// <exception cref="ValidationException"><paramref name="options"/> holds an invalid setting.</exception>
    public static FaceDetector Load(
        string modelDirectory, FaceDetectorOptions? options = null, Device? device = null)
    {
        options = Validated(options);
        return new FaceDetector(TinyFaceDetectorNet.Load(modelDirectory), options, device);
    }

    /// <summary>The faces in <paramref name="image"/>, highest score first.</summary>
    public IReadOnlyList<DetectedFace> Detect(Image<Rgb24> image) => Detect([image])[0];

    /// <summary>The faces in each image, found in one forward pass; images may differ in size.</summary>
    public IReadOnlyList<IReadOnlyList<DetectedFace>> Detect(IReadOnlyList<Image<Rgb24>> images)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Count == 0)
        {
            return [];
        }

        float[] grid;
        int cells;
        using (no_grad())
        using (NewDisposeScope())
        {
            var batch = cat(images.Select(i => ToNetInput(i, _inputSize, _device)).ToList(), dim: 0);
            var output = _net.forward(batch);
            cells = (int)output.shape[2];
            grid = output.cpu().data<float>().ToArray();
        }

        var perImage = TinyFaceDetectorNet.AnchorCount * TinyFaceDetectorNet.ValuesPerAnchor * cells * cells;
        return images
            .Select((image, i) => Decode(grid.AsSpan(i * perImage, perImage), cells, image.Size()))
            .ToList();
    }

    public void Dispose() => _net.Dispose();

    private static FaceDetectorOptions Validated(FaceDetectorOptions? options)
    {
        options ??= new FaceDetectorOptions();
        Validator.ValidateObject(options, new ValidationContext(options), validateAllProperties: true);
        return options;
    }

    // face-api's input: the image padded with black at the bottom or right to a square, then scaled to
    // the input size by TensorFlow's legacy bilinear resize (no half-pixel offset, no corner alignment).
    internal static Tensor ToNetInput(Image<Rgb24> image, int inputSize, Device device)
    {
        var (width, height) = (image.Width, image.Height);
        var side = Math.Max(width, height);

        var pixels = new byte[width * height * 3];
        image.CopyPixelDataTo(pixels);
        var square = nn.functional.pad(
            tensor(pixels, [height, width, 3]).to(device).permute(2, 0, 1).unsqueeze(0),
            (0, side - width, 0, side - height));

        // A square needs the same taps along both axes.
        var (low, high, weights) = ResizeTaps(side, inputSize, device);
        var upper = square.index_select(2, low);
        var lower = square.index_select(2, high);
        var topLeft = upper.index_select(3, low).to_type(ScalarType.Float32);
        var topRight = upper.index_select(3, high).to_type(ScalarType.Float32);
        var bottomLeft = lower.index_select(3, low).to_type(ScalarType.Float32);
        var bottomRight = lower.index_select(3, high).to_type(ScalarType.Float32);

        // Interpolated along rows first, then down the columns, in the order TensorFlow.js uses.
        var columnWeights = weights.view(1, 1, 1, -1);
        var top = topLeft.lerp(topRight, columnWeights);
        var bottom = bottomLeft.lerp(bottomRight, columnWeights);
        return top.lerp(bottom, weights.view(1, 1, -1, 1));
    }

    private static (Tensor Low, Tensor High, Tensor Weights) ResizeTaps(int from, int to, Device device)
    {
        var low = new long[to];
        var high = new long[to];
        var weights = new float[to];
        var scale = (double)from / to;
        for (var i = 0; i < to; i++)
        {
            var source = i * scale;
            low[i] = (long)Math.Floor(source);
            high[i] = Math.Min(low[i] + 1, from - 1);
            weights[i] = (float)(source - low[i]);
        }

        return (tensor(low, device: device), tensor(high, device: device), tensor(weights, device: device));
    }

    private List<DetectedFace> Decode(ReadOnlySpan<float> grid, int cells, Size imageSize)
    {
        // The image fills only part of the padded square, a part face-api rounds to whole pixels; boxes
        // are decoded relative to that part.
        var scale = (double)_inputSize / Math.Max(imageSize.Width, imageSize.Height);
        var fillX = _inputSize / Math.Round(imageSize.Width * scale, MidpointRounding.AwayFromZero);
        var fillY = _inputSize / Math.Round(imageSize.Height * scale, MidpointRounding.AwayFromZero);

        var plane = cells * cells;
        var candidates = new List<Candidate>();
        for (var row = 0; row < cells; row++)
        {
            for (var col = 0; col < cells; col++)
            {
                for (var anchor = 0; anchor < TinyFaceDetectorNet.AnchorCount; anchor++)
                {
                    // Channel 5a + k holds value k of anchor a: x, y, width, height, objectness.
                    var x = anchor * TinyFaceDetectorNet.ValuesPerAnchor * plane + row * cells + col;
                    var score = Sigmoid(grid[x + 4 * plane]);
                    if (score <= _scoreThreshold)
                    {
                        continue;
                    }

                    var (anchorWidth, anchorHeight) = TinyFaceDetectorNet.Anchors[anchor];
                    var width = Math.Exp(grid[x + 2 * plane]) * anchorWidth / cells * fillX;
                    var height = Math.Exp(grid[x + 3 * plane]) * anchorHeight / cells * fillY;
                    var centreX = (col + Sigmoid(grid[x])) / cells * fillX;
                    var centreY = (row + Sigmoid(grid[x + plane])) / cells * fillY;
                    candidates.Add(
                        new Candidate(centreX - width / 2, centreY - height / 2, width, height, score));
                }
            }
        }

        return NonMaxSuppression(candidates)
            .Take(_maxFaces)
            .Select(c => ToPixels(c, imageSize))
            .OfType<DetectedFace>()
            .ToList();
    }

    // Greedy suppression in relative coordinates, as face-api does. Equal scores are visited last-found
    // first, the order face-api's stable sort produces.
    private static List<Candidate> NonMaxSuppression(List<Candidate> candidates)
    {
        var remaining = candidates
            .Select((candidate, index) => (candidate, index))
            .OrderByDescending(c => c.candidate.Score)
            .ThenByDescending(c => c.index)
            .Select(c => c.candidate)
            .ToList();

        var kept = new List<Candidate>();
        while (remaining.Count > 0)
        {
            var best = remaining[0];
            kept.Add(best);
            remaining = remaining.Skip(1).Where(c => IntersectionOverUnion(best, c) <= IouThreshold).ToList();
        }

        return kept;
    }

    private static double IntersectionOverUnion(Candidate a, Candidate b)
    {
        var width = Math.Max(0, Math.Min(a.X + a.Width, b.X + b.Width) - Math.Max(a.X, b.X));
        var height = Math.Max(0, Math.Min(a.Y + a.Height, b.Y + b.Height) - Math.Max(a.Y, b.Y));
        var intersection = width * height;
        return intersection / (a.Width * a.Height + b.Width * b.Height - intersection);
    }

    private static DetectedFace? ToPixels(Candidate candidate, Size imageSize)
    {
        var left = Math.Max(candidate.X * imageSize.Width, 0);
        var top = Math.Max(candidate.Y * imageSize.Height, 0);
        var right = Math.Min((candidate.X + candidate.Width) * imageSize.Width, imageSize.Width);
        var bottom = Math.Min((candidate.Y + candidate.Height) * imageSize.Height, imageSize.Height);

        // A box centred in the padding can lie wholly outside the image.
        return right > left && bottom > top
            ? new DetectedFace(
                new RectangleF((float)left, (float)top, (float)(right - left), (float)(bottom - top)),
                (float)candidate.Score)
            : null;
    }

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    // A box relative to the image (0..1 on each axis) and its score.
    private readonly record struct Candidate(double X, double Y, double Width, double Height, double Score);
}
