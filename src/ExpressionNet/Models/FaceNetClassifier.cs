using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace ExpressionNet.Models;

/// <summary>
/// The face net with an expression classifier on its pooled top convolutional features. It is the
/// teacher that FaceNet2ExpNet fine-tunes and then freezes, and on its own the paper's
/// "fine-tuned face net" baseline. Input is RGB 0..255, as the face net takes it.
/// </summary>
public sealed class FaceNetClassifier : Module<Tensor, Tensor>
{
    private readonly FaceRecognitionNet _faceNet;
    private readonly Linear _classifier;

    /// <summary>Puts a randomly initialised classifier on a (pre-trained) face net.</summary>
    public FaceNetClassifier(FaceRecognitionNet faceNet, int classCount)
        : base(nameof(FaceNetClassifier))
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classCount, 2);
        _faceNet = faceNet;
        _classifier = Linear(FaceRecognitionNet.FeatureChannels, classCount);
        ClassCount = classCount;
        RegisterComponents();
    }

    /// <summary>Number of classes.</summary>
    public int ClassCount { get; }

    /// <summary>The face net.</summary>
    public FaceRecognitionNet FaceNet => _faceNet;

    /// <summary>The face net's top convolutional response for RGB 0..255 input.</summary>
    public Tensor Features(Tensor input) => _faceNet.Features(input);

    public override Tensor forward(Tensor input)
    {
        using var features = _faceNet.Features(input);
        using var pooled = features.mean([2, 3]);
        return _classifier.forward(pooled);
    }

    /// <summary>The classifier put on the face net's features.</summary>
    public Linear Classifier => _classifier;

    /// <summary>
    /// Freezes the face net except its last <paramref name="trainableBlocks"/> blocks; the
    /// classifier stays trainable. Returns the face net's parameters left trainable.
    /// </summary>
    public IReadOnlyList<Parameter> FreezeAllBut(int trainableBlocks)
    {
        // The descriptor layer is not on the classifier's path; it stays as the package shipped it.
        var blocks = _faceNet.named_children().Where(c => c.name != "fc").Select(c => c.module).ToList();
        var trainable = blocks.Skip(Math.Max(0, blocks.Count - trainableBlocks)).ToHashSet();

        foreach (var block in blocks)
        {
            foreach (var parameter in block.parameters())
            {
                parameter.requires_grad = trainable.Contains(block);
            }
        }

        foreach (var parameter in _faceNet.named_children().Where(c => c.name == "fc").SelectMany(c => c.module.parameters()))
        {
            parameter.requires_grad = false;
        }

        return _faceNet.parameters().Where(p => p.requires_grad).ToList();
    }

    /// <summary>Freezes every parameter, as FaceNet2ExpNet does once the face net is fine-tuned.</summary>
    public void Freeze()
    {
        foreach (var parameter in parameters())
        {
            parameter.requires_grad = false;
        }
    }
}
