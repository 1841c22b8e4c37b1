using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace ExpressionNet.Models;

/// <summary>
/// The expression net of FaceNet2ExpNet. <see cref="Features"/> is the convolutional stack, the
/// part that stage 1 trains to reproduce the face net's response; <see cref="forward"/> appends the
/// classifier head that stage 2 trains with labels. Input is [N, C, S, S], normalised as the
/// model's preprocessing says; output is class logits.
/// </summary>
public sealed class ExpNet : Module<Tensor, Tensor>
{
    private readonly Sequential _features;
    private readonly Sequential _head;

    /// <summary>Creates a randomly initialised net.</summary>
    public ExpNet(ExpNetOptions options, int classCount)
        : base(nameof(ExpNet))
    {
        options.Validate();
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 2);

        Options = options;
        ClassCount = classCount;

        var layers = new List<(string, Module<Tensor, Tensor>)>();
        var channels = options.InputChannels;
        for (var block = 1; block <= options.Widths.Count; block++)
        {
            var width = options.Widths[block - 1];
            for (var conv = 1; conv <= options.ConvolutionsPerBlock; conv++)
            {
                // One convolution per block keeps the paper's layer names, and so its checkpoints.
                var name = options.ConvolutionsPerBlock == 1 ? $"conv{block}" : $"conv{block}_{conv}";

                // A convolution followed by batch norm needs no bias of its own.
                layers.Add((name, Conv2d(channels, width, 3, padding: 1, bias: !options.BatchNorm)));
                if (options.BatchNorm)
                {
                    layers.Add(($"{name}_bn", BatchNorm2d(width)));
                }

                layers.Add(($"{name}_relu", ReLU(inplace: true)));
                channels = width;
            }

            layers.Add(($"conv{block}_pool", new MaxPool2x2()));
        }

        _features = Sequential(layers);
        FeatureChannels = channels;

        var flat = channels * options.FeatureSize * options.FeatureSize;
        _head = Sequential(
            ("flatten", Flatten()),
            ("fc", Linear(flat, options.HiddenUnits)),
            ("fc_relu", ReLU(inplace: true)),
            ("dropout", nn.Dropout(options.Dropout)),
            ("classifier", Linear(options.HiddenUnits, classCount)));

        RegisterComponents();
        InitializeWeights();
    }

    /// <summary>The architecture this net was built with.</summary>
    public ExpNetOptions Options { get; }

    /// <summary>Number of classes the head predicts.</summary>
    public int ClassCount { get; }

    /// <summary>Channels of the top convolutional map.</summary>
    public int FeatureChannels { get; }

    /// <summary>The convolutional stack, whose parameters stage 1 trains.</summary>
    public Module<Tensor, Tensor> FeatureLayers => _features;

    /// <summary>The classifier head appended in stage 2.</summary>
    public Module<Tensor, Tensor> Head => _head;

    /// <summary>The top convolutional response, [N, FeatureChannels, FeatureSize, FeatureSize].</summary>
    public Tensor Features(Tensor input) => _features.forward(input);

    public override Tensor forward(Tensor input)
    {
        using var features = _features.forward(input);
        return _head.forward(features);
    }

    /// <summary>
    /// Re-draws the classifier head, as stage 2 does when it appends fully-connected layers to the
    /// pre-trained convolutional stack.
    /// </summary>
    public void ResetHead() => InitializeHead();

    private void InitializeWeights()
    {
        using var noGrad = no_grad();
        foreach (var module in _features.modules())
        {
            switch (module)
            {
                case Conv2d conv:
                    init.kaiming_normal_(conv.weight, mode: init.FanInOut.FanOut, nonlinearity: init.NonlinearityType.ReLU);
                    if (conv.bias is not null)
                    {
                        init.zeros_(conv.bias);
                    }

                    break;
                case BatchNorm2d norm:
                    init.ones_(norm.weight);
                    init.zeros_(norm.bias);
                    break;
            }
        }

        InitializeHead();
    }

    // He initialisation for the ReLU layer and a small uniform one for the class layer keep the
    // gradient that reaches the convolutions at a useful size from the first step; VGG's N(0, 0.01)
    // starves them for several epochs.
    private void InitializeHead()
    {
        using var noGrad = no_grad();
        var layers = _head.modules().OfType<Linear>().ToList();
        foreach (var linear in layers)
        {
            if (linear == layers[^1])
            {
                var bound = 1 / Math.Sqrt(linear.weight.shape[1]);
                init.uniform_(linear.weight, -bound, bound);
            }
            else
            {
                init.kaiming_normal_(linear.weight, nonlinearity: init.NonlinearityType.ReLU);
            }

            init.zeros_(linear.bias!);
        }
    }
}
