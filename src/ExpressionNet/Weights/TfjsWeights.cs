using System.Text.Json;
using System.Text.Json.Serialization;
using static TorchSharp.torch;

namespace ExpressionNet.Weights;

/// <summary>
/// The named weights of a TensorFlow.js layers model: a <c>*-weights_manifest.json</c> and the
/// <c>.bin</c> shards it lists. Values are dequantized to float32 and keep TensorFlow's layouts
/// (convolution filters HWIO, depthwise filters [h, w, in, multiplier]); use
/// <see cref="ConvFilter"/> and <see cref="DepthwiseFilter"/> to get PyTorch layouts.
/// </summary>
public sealed class TfjsWeights
{
    private readonly Dictionary<string, (float[] Values, long[] Shape)> _weights;
    private readonly HashSet<string> _taken = [];

    private TfjsWeights(Dictionary<string, (float[] Values, long[] Shape)> weights) => _weights = weights;

    /// <summary>The names of all weights, in manifest order.</summary>
    public IReadOnlyCollection<string> Names => _weights.Keys;

    /// <summary>
    /// Reads <c>{modelDirectory}/{modelName}-weights_manifest.json</c> and its shards.
    /// </summary>
    /// <exception cref="InvalidDataException">The manifest or a shard is malformed or truncated.</exception>
    public static TfjsWeights Load(string modelDirectory, string modelName)
    {
        var manifestPath = Path.Combine(modelDirectory, $"{modelName}-weights_manifest.json");
        if (!File.Exists(manifestPath))
        {
            throw new FileNotFoundException(
                $"The weights manifest {manifestPath} does not exist. Build the solution once to install "
                + "the face-api package (tools/face-api), or point the weights folder at a copy of its model/.",
                manifestPath);
        }

        var groups = JsonSerializer.Deserialize<ManifestGroup[]>(File.ReadAllBytes(manifestPath))
            ?? throw new InvalidDataException($"{manifestPath} holds no weight groups.");

        var weights = new Dictionary<string, (float[], long[])>(StringComparer.Ordinal);
        foreach (var group in groups)
        {
            var bytes = group.Paths.SelectMany(p => File.ReadAllBytes(Path.Combine(modelDirectory, p))).ToArray();
            var offset = 0;
            foreach (var entry in group.Weights)
            {
                var count = checked((int)entry.Shape.Aggregate(1L, (a, b) => a * b));
                var values = new float[count];
                offset = Decode(entry, bytes, offset, values, manifestPath);
                weights.Add(entry.Name, (values, entry.Shape));
            }

            if (offset != bytes.Length)
            {
                throw new InvalidDataException(
                    $"{manifestPath}: the shards hold {bytes.Length} bytes but the manifest describes {offset}.");
            }
        }

        return new TfjsWeights(weights);
    }

    /// <summary>A weight as stored (TensorFlow layout).</summary>
    public Tensor Get(string name)
    {
        if (!_weights.TryGetValue(name, out var weight))
        {
            throw new KeyNotFoundException($"The model has no weight named '{name}'.");
        }

        _taken.Add(name);
        return tensor(weight.Values, weight.Shape);
    }

    /// <summary>A convolution filter, transposed from HWIO to PyTorch's OIHW.</summary>
    public Tensor ConvFilter(string name) => Get(name).permute(3, 2, 0, 1).contiguous();

    /// <summary>
    /// A depthwise filter, transposed from [h, w, in, multiplier] to PyTorch's grouped layout
    /// [in * multiplier, 1, h, w].
    /// </summary>
    public Tensor DepthwiseFilter(string name)
    {
        using var filter = Get(name);
        var (h, w, input, multiplier) = (filter.shape[0], filter.shape[1], filter.shape[2], filter.shape[3]);
        return filter.permute(2, 3, 0, 1).reshape(input * multiplier, 1, h, w).contiguous();
    }

    /// <summary>Weights that no <see cref="Get"/> call asked for; a complete port leaves none.</summary>
    public IEnumerable<string> Unused() => _weights.Keys.Where(n => !_taken.Contains(n));

    private static int Decode(ManifestWeight entry, byte[] bytes, int offset, float[] values, string manifestPath)
    {
        var quantization = entry.Quantization;
        var width = quantization?.Dtype switch
        {
            null => entry.Dtype == "float32" || entry.Dtype == "int32" ? 4 : 0,
            "uint8" => 1,
            "uint16" => 2,
            _ => 0,
        };
        if (width == 0)
        {
            throw new InvalidDataException(
                $"{manifestPath}: weight '{entry.Name}' has an unsupported encoding ({entry.Dtype}, {quantization?.Dtype}).");
        }

        if (offset + (long)values.Length * width > bytes.Length)
        {
            throw new InvalidDataException($"{manifestPath}: the shards end inside weight '{entry.Name}'.");
        }

        // Dequantize as TensorFlow.js does: in double precision, then rounded to float32.
        var span = bytes.AsSpan(offset);
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = width switch
            {
                1 => (float)(span[i] * quantization!.Scale + quantization.Min),
                2 => (float)(BitConverter.ToUInt16(span.Slice(2 * i, 2)) * quantization!.Scale + quantization.Min),
                _ when entry.Dtype == "int32" => BitConverter.ToInt32(span.Slice(4 * i, 4)),
                _ => BitConverter.ToSingle(span.Slice(4 * i, 4)),
            };
        }

        return offset + values.Length * width;
    }

    private sealed record ManifestGroup(
        [property: JsonPropertyName("paths")] string[] Paths,
        [property: JsonPropertyName("weights")] ManifestWeight[] Weights);

    private sealed record ManifestWeight(
        [property: JsonPropertyName("name")] string Name,
        [property: JsonPropertyName("shape")] long[] Shape,
        [property: JsonPropertyName("dtype")] string Dtype,
        [property: JsonPropertyName("quantization")] Quantization? Quantization);

    private sealed record Quantization(
        [property: JsonPropertyName("dtype")] string Dtype,
        [property: JsonPropertyName("scale")] double Scale,
        [property: JsonPropertyName("min")] double Min);
}
