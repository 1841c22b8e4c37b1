using ExpressionNet.Data;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace ExpressionNet.Checkpoints;

/// <summary>
/// A trained expression model ready to score faces: the network on its device, in evaluation
/// mode, with the metadata that says how to feed it and what its outputs mean.
/// </summary>
public sealed class ExpressionModel : IDisposable
{
    /// <summary>Wraps a network in evaluation mode.</summary>
    public ExpressionModel(ModelMetadata metadata, nn.Module<Tensor, Tensor> net, Device device)
    {
        Metadata = metadata;
        Net = net;
        Device = device;
        net.eval();
    }

    /// <summary>What the checkpoint says about the model.</summary>
    public ModelMetadata Metadata { get; }

    /// <summary>The network.</summary>
    public nn.Module<Tensor, Tensor> Net { get; }

    /// <summary>Where the network computes.</summary>
    public Device Device { get; }

    /// <summary>How faces become input.</summary>
    public Preprocessing Preprocessing => Metadata.Preprocessing;

    /// <summary>Class names, in score order.</summary>
    public IReadOnlyList<string> Labels => Metadata.Labels;

    /// <summary>
    /// Class probabilities for a batch of face crops, uint8 [N, C, S, S] as
    /// <see cref="FaceCrop.Pixels"/> makes them. Returns float32 [N, classes] on the CPU.
    /// </summary>
    public Tensor Probabilities(Tensor pixels)
    {
        using var scope = NewDisposeScope();
        using var inference = inference_mode();
        var input = Preprocessing.FromBytes(pixels.to(Device));
        var probabilities = softmax(Net.forward(input), 1);
        if (Metadata.FlipAtTest)
        {
            probabilities = probabilities.add(softmax(Net.forward(input.flip(3)), 1), Scalars.One).div_(Scalars.Two);
        }

        return probabilities.cpu().MoveToOuterDisposeScope();
    }

    public void Dispose() => Net.Dispose();
}
