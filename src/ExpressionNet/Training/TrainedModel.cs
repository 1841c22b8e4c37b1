using ExpressionNet.Data;
using ExpressionNet.Models;
using static TorchSharp.torch;

namespace ExpressionNet.Training;

/// <summary>A network fresh from training, with what is needed to use and describe it.</summary>
/// <param name="Net">The network, in evaluation mode.</param>
/// <param name="Architecture">How to build the network again.</param>
/// <param name="Preprocessing">How its input is made.</param>
/// <param name="Labels">Class names, in output order.</param>
/// <param name="History">Every epoch of every stage.</param>
public sealed record TrainedModel(
    nn.Module<Tensor, Tensor> Net,
    ModelArchitecture Architecture,
    Preprocessing Preprocessing,
    IReadOnlyList<string> Labels,
    IReadOnlyList<EpochResult> History);
