using ExpressionNet.Weights;
using TorchSharp;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace ExpressionNet.Models;

/// <summary>
/// The tiny face detector of <c>@vladmandic/face-api</c>: a Tiny-YOLOv2-style single-class detector built
/// from depthwise-separable convolutions, ported layer for layer from the package's TensorFlow.js graph.
/// </summary>
/// <remarks>
/// Input: float32 <c>[N, 3, S, S]</c> RGB in 0..255, <c>S</c> a multiple of 32. Output: the raw
/// <c>[N, 25, S/32, S/32]</c> grid; channel <c>5a + k</c> holds, for anchor <c>a</c> of
/// <see cref="Anchors"/>, <c>k</c> = 0..3 the box offsets (x, y, log-width, log-height) and <c>k</c> = 4
/// the objectness logit. <see cref="Detection.FaceDetector"/> decodes the grid into faces.
/// </remarks>
public sealed class TinyFaceDetectorNet : Module<Tensor, Tensor>
{
    /// <summary>Boxes predicted per grid cell.</summary>
    public const int AnchorCount = 5;

    /// <summary>Values per anchor in the output: x, y, width, height, objectness.</summary>
    public const int ValuesPerAnchor = 5;

    /// <summary>Input pixels per output grid cell along each axis.</summary>
    public const int Stride = 32;

    /// <summary>Anchor box sizes (width, height) in grid cells, in output channel order.</summary>
    public static IReadOnlyList<(double Width, double Height)> Anchors { get; } =
    [
        (1.603231, 2.094468),
        (6.041143, 7.080126),
        (2.882459, 3.518061),
        (4.266906, 5.178857),
        (9.041765, 10.66308),
    ];

    // face-api's mean colour, which the net expects subtracted before the division by 255.
    private static readonly float[] _meanRgb = [117.001f, 114.697f, 97.404f];

    [ComponentName(Name = "mean_rgb")]
    private readonly Tensor _mean;

    [ComponentName(Name = "conv0")]
    private readonly Conv2d _conv0;

    [ComponentName(Name = "blocks")]
    private readonly ModuleList<SeparableConv> _blocks;

    [ComponentName(Name = "conv8")]
    private readonly Conv2d _conv8;

    /// <summary>Creates the net with random weights; <see cref="Load"/> gives the pretrained one.</summary>
    public TinyFaceDetectorNet()
        : base(nameof(TinyFaceDetectorNet))
    {
        _mean = tensor(_meanRgb).reshape(1, 3, 1, 1);
        _conv0 = Conv2d(3, 16, kernel_size: 3);
        _blocks = new ModuleList<SeparableConv>(
            new SeparableConv(16, 32),
            new SeparableConv(32, 64),
            new SeparableConv(64, 128),
            new SeparableConv(128, 256),
            new SeparableConv(256, 512));
        _conv8 = Conv2d(512, AnchorCount * ValuesPerAnchor, kernel_size: 1);
        RegisterComponents();
    }

    /// <summary>
    /// Loads the pretrained net from face-api's <c>tiny_face_detector_model</c> files in
    /// <paramref name="modelDirectory"/>, in evaluation mode.
    /// </summary>
    /// <exception cref="InvalidDataException">The weight files do not describe exactly this net.</exception>
    public static TinyFaceDetectorNet Load(string modelDirectory)
    {
        var weights = TfjsWeights.Load(modelDirectory, FaceApiModels.TinyFaceDetector);
        var net = new TinyFaceDetectorNet();
        try
        {
            net.Assign(weights);
        }
        catch
        {
            net.Dispose();
            throw;
        }

        net.eval();
        return net;
    }

    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();

        // face-api activates each convolution and then max-pools. Leaky ReLU is monotonic, so it commutes
        // with the max: activating after the pool gives the same values for a quarter of the work.
        // Unlike the later convolutions, the first runs unpadded: 416 pixels become 414.
        var x = _conv0.forward(input.sub(_mean).div_(Scalars.ByteRange));
        foreach (var block in _blocks)
        {
            x = block.forward(LeakyRelu(MaxPoolSame(x, stride: 2)));
        }

        // A stride-1 pool widens the receptive field on the final grid without shrinking it.
        x = LeakyRelu(MaxPoolSame(x, stride: 1));
        return _conv8.forward(x).MoveToOuterDisposeScope();
    }

    private static Tensor LeakyRelu(Tensor x) => x.leaky_relu(Scalars.LeakySlope);

    // A 2x2 max-pool with TensorFlow's 'same' padding: the output is ceil(size / stride), and the rows or
    // columns that the last windows lack are padded at the bottom or right with -inf, which never wins.
    // Two elementwise maxima over strided views compute it several times faster than LibTorch's CPU
    // max_pool2d, which dominated the net's run time.
    private static Tensor MaxPoolSame(Tensor x, int stride)
    {
        long PadFor(long size) => ((size + stride - 1) / stride - 1) * stride + 2 - size;

        var (bottom, right) = (PadFor(x.shape[2]), PadFor(x.shape[3]));
        if (bottom > 0 || right > 0)
        {
            x = functional.pad(x, (0, right, 0, bottom), PaddingModes.Constant, double.NegativeInfinity);
        }

        return MaxOfPairs(MaxOfPairs(x, dim: 2, stride), dim: 3, stride);
    }

    // Element i along dim becomes the larger of elements i * stride and i * stride + 1.
    private static Tensor MaxOfPairs(Tensor x, int dim, int stride)
    {
        var size = x.shape[dim];
        return maximum(x.slice(dim, 0, size - 1, stride), x.slice(dim, 1, size, stride));
    }

    private void Assign(TfjsWeights weights)
    {
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();

        Assign(_conv0, weights.ConvFilter("conv0/filters"), weights.Get("conv0/bias"));
        for (var i = 0; i < _blocks.Count; i++)
        {
            _blocks[i].Assign(weights, $"conv{i + 1}");
        }

        Assign(_conv8, weights.ConvFilter("conv8/filters"), weights.Get("conv8/bias"));

        var unused = weights.Unused().ToList();
        if (unused.Count > 0)
        {
            throw new InvalidDataException(
                $"The tiny face detector's files hold weights the net lacks: {string.Join(", ", unused)}.");
        }
    }

    private static void Assign(Conv2d conv, Tensor weight, Tensor bias)
    {
        CopyChecked(conv.weight!, weight);
        CopyChecked(conv.bias!, bias);
    }

    private static void CopyChecked(Tensor parameter, Tensor value)
    {
        if (!parameter.shape.SequenceEqual(value.shape))
        {
            throw new InvalidDataException(
                $"A weight of shape [{string.Join(", ", value.shape)}] does not fit a parameter of shape "
                + $"[{string.Join(", ", parameter.shape)}].");
        }

        parameter.copy_(value);
    }

    /// <summary>
    /// A 3x3 depthwise convolution (zero padding 1, no bias) followed by a 1x1 pointwise convolution with
    /// bias: TensorFlow's <c>separableConv2d</c> as face-api uses it, before its leaky ReLU.
    /// </summary>
    private sealed class SeparableConv : Module<Tensor, Tensor>
    {
        [ComponentName(Name = "depthwise")]
        private readonly Conv2d _depthwise;

        [ComponentName(Name = "pointwise")]
        private readonly Conv2d _pointwise;

        public SeparableConv(long inChannels, long outChannels)
            : base(nameof(SeparableConv))
        {
            _depthwise = Conv2d(
                inChannels, inChannels, kernel_size: 3, padding: 1, groups: inChannels, bias: false);
            _pointwise = Conv2d(inChannels, outChannels, kernel_size: 1);
            RegisterComponents();
        }

        public void Assign(TfjsWeights weights, string prefix)
        {
            CopyChecked(_depthwise.weight!, weights.DepthwiseFilter($"{prefix}/depthwise_filter"));
            TinyFaceDetectorNet.Assign(
                _pointwise, weights.ConvFilter($"{prefix}/pointwise_filter"), weights.Get($"{prefix}/bias"));
        }

        public override Tensor forward(Tensor input) => _pointwise.forward(_depthwise.forward(input));
    }
}
