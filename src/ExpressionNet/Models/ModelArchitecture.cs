using System.Text.Json.Serialization;
using static TorchSharp.torch;

namespace ExpressionNet.Models;

/// <summary>The kinds of network a checkpoint can hold.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ModelKind>))]
public enum ModelKind
{
    /// <summary>An <see cref="Models.ExpNet"/>.</summary>
    ExpNet,

    /// <summary>A <see cref="Models.FaceNetClassifier"/>.</summary>
    FaceNetClassifier,
}

/// <summary>Enough about a network to build it again before its weights are loaded.</summary>
public sealed record ModelArchitecture
{
    /// <summary>The kind of network.</summary>
    public required ModelKind Kind { get; init; }

    /// <summary>The expression net's shape, for <see cref="ModelKind.ExpNet"/>.</summary>
    public ExpNetOptions? ExpNet { get; init; }

    /// <summary>Builds the network with fresh weights.</summary>
    public nn.Module<Tensor, Tensor> Create(int classCount) => Kind switch
    {
        ModelKind.ExpNet => new ExpNet(ExpNet ?? throw new InvalidOperationException("The architecture lacks its ExpNet options."), classCount),
        ModelKind.FaceNetClassifier => new FaceNetClassifier(new FaceRecognitionNet(), classCount),
        _ => throw new InvalidOperationException($"Unknown model kind {Kind}."),
    };
}
