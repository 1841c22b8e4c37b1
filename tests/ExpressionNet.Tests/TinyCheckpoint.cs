using ExpressionNet.Checkpoints;
using ExpressionNet.Data;
using ExpressionNet.Models;
using static TorchSharp.torch;

namespace ExpressionNet.Tests;

/// <summary>Checkpoints of a tiny untrained ExpNet, for tests that need a model on disk but no skill.</summary>
public static class TinyCheckpoint
{
    /// <summary>Writes a checkpoint of a random net for 48 px grey faces and returns its metadata.</summary>
    public static ModelMetadata Save(string folder, IReadOnlyList<string> labels, int seed = 1)
    {
        var options = new ExpNetOptions { Widths = [4, 8], HiddenUnits = 16 };
        manual_seed(seed);
        using var net = new ExpNet(options, labels.Count);
        return ModelCheckpoint.Save(folder, net, new ModelMetadata
        {
            Name = "tiny",
            Labels = labels,
            Architecture = new ModelArchitecture { Kind = ModelKind.ExpNet, ExpNet = options },
            Preprocessing = new Preprocessing(),
            WeightsSha256 = "",
        });
    }
}
