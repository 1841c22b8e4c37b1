using System.Diagnostics.CodeAnalysis;
using ExpressionNet.Weights;
using TorchSharp.Modules;
using TorchSharp.Utils;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace ExpressionNet.Models;

/// <summary>
/// The face-recognition ResNet of face-api (<c>face_recognition_model</c>: dlib's 29-layer ResNet with
/// half the filters of ResNet-34), ported so that it reproduces the package's descriptors.
/// </summary>
/// <remarks>
/// <para>
/// Input: float32 <c>[N, 3, H, W]</c>, RGB on the 0..255 scale; the module subtracts the mean colour
/// and divides by 255 itself, as face-api does. 150x150 (<see cref="NativeInputSize"/>) is the size
/// face-api resizes every face to. The net is convolutional up to its global mean, so other sizes from
/// <see cref="MinInputSize"/> up run as well. Below 103 pixels, though, the input of the last block,
/// <c>conv256_down_out</c>, is 2 pixels wide, too small for its 3x3 'valid' convolution: the block then
/// passes on its pooled shortcut alone, as face-api's layers do on TensorFlow.js's CPU backend, and its
/// convolutions get no gradient.
/// </para>
/// <para>
/// The children carry face-api's names (<c>conv32_down</c>, <c>conv32_1</c> ... <c>conv256_down_out</c>,
/// <c>fc</c>), so the parameters of the last blocks can be picked by name for fine-tuning, and a
/// fine-tuned copy round-trips through <c>save</c> and <c>load</c> on a <c>new FaceRecognitionNet()</c>.
/// </para>
/// </remarks>
public sealed class FaceRecognitionNet : nn.Module<Tensor, Tensor>
{
    /// <summary>The channels of <see cref="Features"/>.</summary>
    public const int FeatureChannels = 256;

    /// <summary>The length of a descriptor, the output of <c>forward</c>.</summary>
    public const int DescriptorSize = 128;

    /// <summary>The input size face-api uses (it resizes every face to 150x150).</summary>
    public const int NativeInputSize = 150;

    /// <summary>
    /// The smallest height and width that give a non-empty <see cref="Features"/> map. One pixel less and
    /// the last block's average pool has nothing to pool.
    /// </summary>
    public const int MinInputSize = 71;

    // dlib's RGB input layer subtracts this mean colour and scales by 1/255; face-api does the same.
    private static readonly float[] _meanRgb = [122.782f, 117.001f, 104.298f];

    [ComponentName(Name = "conv32_down")]
    private readonly ConvLayer _conv32Down = new(3, 32, kernelSize: 7, stride: 2, padding: 0, relu: true);

    [ComponentName(Name = "conv32_1")]
    private readonly ResidualBlock _conv32_1 = new(32, 32, down: false);
    [ComponentName(Name = "conv32_2")]
    private readonly ResidualBlock _conv32_2 = new(32, 32, down: false);
    [ComponentName(Name = "conv32_3")]
    private readonly ResidualBlock _conv32_3 = new(32, 32, down: false);

    [ComponentName(Name = "conv64_down")]
    private readonly ResidualBlock _conv64Down = new(32, 64, down: true);
    [ComponentName(Name = "conv64_1")]
    private readonly ResidualBlock _conv64_1 = new(64, 64, down: false);
    [ComponentName(Name = "conv64_2")]
    private readonly ResidualBlock _conv64_2 = new(64, 64, down: false);
    [ComponentName(Name = "conv64_3")]
    private readonly ResidualBlock _conv64_3 = new(64, 64, down: false);

    [ComponentName(Name = "conv128_down")]
    private readonly ResidualBlock _conv128Down = new(64, 128, down: true);
    [ComponentName(Name = "conv128_1")]
    private readonly ResidualBlock _conv128_1 = new(128, 128, down: false);
    [ComponentName(Name = "conv128_2")]
    private readonly ResidualBlock _conv128_2 = new(128, 128, down: false);

    [ComponentName(Name = "conv256_down")]
    private readonly ResidualBlock _conv256Down = new(128, 256, down: true);
    [ComponentName(Name = "conv256_1")]
    private readonly ResidualBlock _conv256_1 = new(256, 256, down: false);
    [ComponentName(Name = "conv256_2")]
    private readonly ResidualBlock _conv256_2 = new(256, 256, down: false);
    [ComponentName(Name = "conv256_down_out")]
    private readonly ResidualBlock _conv256DownOut = new(256, 256, down: true);

    [ComponentName(Name = "fc")]
    private readonly Linear _fc = nn.Linear(FeatureChannels, DescriptorSize, hasBias: false);

    private readonly ResidualBlock[] _residualBlocks;

    /// <summary>
    /// Creates the architecture with freshly initialised weights: the target of <c>load</c> for a saved
    /// state. Use <see cref="Load"/> for face-api's pretrained weights.
    /// </summary>
    public FaceRecognitionNet()
        : base(nameof(FaceRecognitionNet))
    {
        _residualBlocks =
        [
            _conv32_1, _conv32_2, _conv32_3,
            _conv64Down, _conv64_1, _conv64_2, _conv64_3,
            _conv128Down, _conv128_1, _conv128_2,
            _conv256Down, _conv256_1, _conv256_2, _conv256DownOut,
        ];
        RegisterComponents();
    }

    /// <summary>
    /// Loads face-api's pretrained weights from <c>face_recognition_model-weights_manifest.json</c> and its
    /// shard in <paramref name="modelDirectory"/> (see <see cref="FaceApiModels.DefaultDirectory"/>).
    /// </summary>
    /// <exception cref="KeyNotFoundException">The manifest lacks a weight the net needs.</exception>
    /// <exception cref="InvalidDataException">
    /// A weight has an unexpected shape, or the manifest holds weights the net does not use.
    /// </exception>
    public static FaceRecognitionNet Load(string modelDirectory)
    {
        var weights = TfjsWeights.Load(modelDirectory, FaceApiModels.FaceRecognition);
        var net = new FaceRecognitionNet();
        try
        {
            net.CopyWeights(weights);
        }
        catch
        {
            net.Dispose();
            throw;
        }

        var unused = weights.Unused().ToList();
        if (unused.Count > 0)
        {
            net.Dispose();
            throw new InvalidDataException(
                $"{FaceApiModels.FaceRecognition} holds weights that the port does not use: "
                + string.Join(", ", unused));
        }

        return net;
    }

    /// <summary>
    /// The top convolutional response, the output of <c>conv256_down_out</c>: <c>[N, 256, h, w]</c>, where
    /// h and w are 1 for 71 to 134 pixels, 2 from 135 (and so at 150), 3 at 224.
    /// </summary>
    public Tensor Features(Tensor x)
    {
        if (x.dim() != 4 || x.shape[1] != 3)
        {
            throw new ArgumentException(
                $"Expected RGB images [N, 3, H, W]; got [{string.Join(", ", x.shape)}].", nameof(x));
        }

        if (x.shape[2] < MinInputSize || x.shape[3] < MinInputSize)
        {
            throw new ArgumentException(
                $"Images must be at least {MinInputSize}x{MinInputSize}; got {x.shape[2]}x{x.shape[3]}.",
                nameof(x));
        }

        using var scope = NewDisposeScope();
        using var meanRgb = tensor(_meanRgb, dtype: x.dtype, device: x.device).view(1, 3, 1, 1);
        var y = x.sub(meanRgb).div_(Scalars.ByteRange);
        y = F.max_pool2d(_conv32Down.call(y), kernel_size: 3, stride: 2);
        foreach (var block in _residualBlocks)
        {
            y = block.call(y);
        }

        return y.MoveToOuterDisposeScope();
    }

    /// <summary>The 128-d face descriptor, <c>[N, 128]</c>, not L2-normalised.</summary>
    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return _fc.call(Features(x).mean([2, 3])).MoveToOuterDisposeScope();
    }

    private void CopyWeights(TfjsWeights weights)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var (name, child) in named_children())
        {
            switch (child)
            {
                case ConvLayer layer:
                    layer.CopyWeights(weights, name);
                    break;
                case ResidualBlock block:
                    block.CopyWeights(weights, name);
                    break;
                case Linear fc:
                    // face-api multiplies [N, 256] by fc [256, 128]; Linear keeps the transpose.
                    CopyInto(fc.weight!, name, n => weights.Get(n).t());
                    break;
                default:
                    throw new InvalidOperationException($"No face-api weights map onto the child '{name}'.");
            }
        }
    }

    private static void CopyInto(Tensor target, string name, Func<string, Tensor> read)
    {
        var value = read(name);
        if (!target.shape.SequenceEqual(value.shape))
        {
            throw new InvalidDataException(
                $"The face-api weight '{name}' has shape [{string.Join(", ", value.shape)}] "
                + $"where the port expects [{string.Join(", ", target.shape)}].");
        }

        target.copy_(value);
    }

    /// <summary>A convolution with bias, a learned per-channel affine map, then an optional ReLU.</summary>
    private sealed class ConvLayer : nn.Module<Tensor, Tensor>
    {
        [ComponentName(Name = "conv")] private readonly Conv2d _conv;
        [ComponentName(Name = "scale")] private readonly ChannelScale _scale;
        private readonly bool _relu;

        public ConvLayer(
            long inChannels, long outChannels, long kernelSize, long stride, long padding, bool relu)
            : base(nameof(ConvLayer))
        {
            _conv = nn.Conv2d(inChannels, outChannels, kernelSize, stride: stride, padding: padding);
            _scale = new ChannelScale(outChannels);
            _relu = relu;
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            using var scope = NewDisposeScope();
            var y = _scale.call(_conv.call(x));
            return (_relu ? F.relu(y) : y).MoveToOuterDisposeScope();
        }

        public void CopyWeights(TfjsWeights weights, string prefix)
        {
            CopyInto(_conv.weight!, $"{prefix}/conv/filters", weights.ConvFilter);
            CopyInto(_conv.bias!, $"{prefix}/conv/bias", weights.Get);
            CopyInto(_scale.Weight, $"{prefix}/scale/weights", weights.Get);
            CopyInto(_scale.Bias, $"{prefix}/scale/biases", weights.Get);
        }
    }

    /// <summary>
    /// Two 3x3 convolutions plus a shortcut. A down-sampling block strides its first convolution by 2
    /// without padding, and its shortcut is a 2x2 average pool, zero-padded in channels when the block
    /// widens the net.
    /// </summary>
    private sealed class ResidualBlock : nn.Module<Tensor, Tensor>
    {
        [ComponentName(Name = "conv1")] private readonly ConvLayer _conv1;
        [ComponentName(Name = "conv2")] private readonly ConvLayer _conv2;
        private readonly bool _down;
        private readonly long _extraChannels;

        public ResidualBlock(long inChannels, long outChannels, bool down)
            : base(nameof(ResidualBlock))
        {
            _conv1 = down
                ? new ConvLayer(inChannels, outChannels, kernelSize: 3, stride: 2, padding: 0, relu: true)
                : new ConvLayer(inChannels, outChannels, kernelSize: 3, stride: 1, padding: 1, relu: true);
            _conv2 = new ConvLayer(
                outChannels, outChannels, kernelSize: 3, stride: 1, padding: 1, relu: false);
            _down = down;
            _extraChannels = outChannels - inChannels;
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            using var scope = NewDisposeScope();
            if (!_down)
            {
                return F.relu(_conv2.call(_conv1.call(x)).add_(x, Scalars.One)).MoveToOuterDisposeScope();
            }

            var shortcut = F.avg_pool2d(x, kernel_size: 2, stride: 2);
            if (_extraChannels > 0)
            {
                shortcut = F.pad(shortcut, [0, 0, 0, 0, 0, _extraChannels]);
            }

            // On a map narrower than 3 the strided 'valid' convolution is empty; TensorFlow.js's CPU backend
            // returns it as such and face-api's zero padding below turns it into zeros of the pooled size.
            if (x.shape[2] < 3 || x.shape[3] < 3)
            {
                return F.relu(shortcut).MoveToOuterDisposeScope();
            }

            // On even sizes the strided convolution yields one row and column fewer than the pool;
            // face-api appends zeros at the bottom and right to line them up.
            var branch = _conv2.call(_conv1.call(x));
            var missingRows = shortcut.shape[2] - branch.shape[2];
            var missingColumns = shortcut.shape[3] - branch.shape[3];
            if (missingRows > 0 || missingColumns > 0)
            {
                branch = F.pad(branch, [0, missingColumns, 0, missingRows]);
            }

            return F.relu(shortcut.add(branch, Scalars.One)).MoveToOuterDisposeScope();
        }

        public void CopyWeights(TfjsWeights weights, string prefix)
        {
            _conv1.CopyWeights(weights, $"{prefix}/conv1");
            _conv2.CopyWeights(weights, $"{prefix}/conv2");
        }
    }

    /// <summary>Per-channel <c>x * weight + bias</c>: dlib's affine layer, in place of batch norm.</summary>
    [SuppressMessage(
        "Style", "IDE0044:Add readonly modifier", Justification = "Module.to() reassigns parameter fields.")]
    private sealed class ChannelScale : nn.Module<Tensor, Tensor>
    {
        // Not readonly: Module.to() swaps parameter fields for moved copies through reflection.
        [ComponentName(Name = "weight")]
        private Parameter _weight;

        [ComponentName(Name = "bias")]
        private Parameter _bias;

        public ChannelScale(long channels)
            : base(nameof(ChannelScale))
        {
            _weight = new Parameter(ones(channels));
            _bias = new Parameter(zeros(channels));
            RegisterComponents();
        }

        public Parameter Weight => _weight;

        public Parameter Bias => _bias;

        public override Tensor forward(Tensor x)
        {
            using var scope = NewDisposeScope();
            return x.mul(_weight.view(1, -1, 1, 1)).add_(_bias.view(1, -1, 1, 1), Scalars.One).MoveToOuterDisposeScope();
        }
    }
}
