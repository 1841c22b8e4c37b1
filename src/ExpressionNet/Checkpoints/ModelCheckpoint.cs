using System.Security.Cryptography;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace ExpressionNet.Checkpoints;

/// <summary>
/// A model on disk: a folder holding <c>model.weights</c> (TorchSharp's format) and
/// <c>model.json</c> (<see cref="ModelMetadata"/>, including the weights' SHA-256).
/// </summary>
public static class ModelCheckpoint
{
    /// <summary>The weights file of a checkpoint folder.</summary>
    public const string WeightsFile = "model.weights";

    /// <summary>The metadata file of a checkpoint folder.</summary>
    public const string MetadataFile = "model.json";

    /// <summary>How checkpoints and reports are written: indented, camel case, enums by name.</summary>
    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    /// <summary>
    /// Writes the network's weights and the metadata (with the weights' hash filled in) to a folder,
    /// and returns the metadata as written.
    /// </summary>
    public static ModelMetadata Save(string folder, nn.Module<Tensor, Tensor> net, ModelMetadata metadata)
    {
        Directory.CreateDirectory(folder);
        var weights = Path.Combine(folder, WeightsFile);
        net.save(weights);

        var written = metadata with { WeightsSha256 = HashOf(weights) };
        WriteMetadata(folder, written);
        return written;
    }

    /// <summary>Replaces the metadata of a checkpoint folder (the weights stay as they are).</summary>
    public static void WriteMetadata(string folder, ModelMetadata metadata) =>
        File.WriteAllBytes(Path.Combine(folder, MetadataFile), JsonSerializer.SerializeToUtf8Bytes(metadata, JsonOptions));

    /// <summary>Reads a checkpoint's metadata without loading or checking its weights.</summary>
    /// <exception cref="CheckpointException">The folder holds no readable checkpoint metadata.</exception>
    public static ModelMetadata ReadMetadata(string path)
    {
        var folder = FolderOf(path);
        var file = Path.Combine(folder, MetadataFile);
        if (!File.Exists(file))
        {
            throw new CheckpointException($"'{path}' is not a model checkpoint: it has no {MetadataFile}.");
        }

        ModelMetadata? metadata;
        try
        {
            metadata = JsonSerializer.Deserialize<ModelMetadata>(File.ReadAllBytes(file), JsonOptions);
        }
        catch (JsonException e)
        {
            throw new CheckpointException($"'{file}' is not valid checkpoint metadata: {e.Message}", e);
        }

        if (metadata is null || metadata.Format != ModelMetadata.CurrentFormat)
        {
            throw new CheckpointException(
                $"'{file}' is not checkpoint metadata of format {ModelMetadata.CurrentFormat} (found '{metadata?.Format}').");
        }

        return metadata;
    }

    /// <summary>
    /// Loads a checkpoint (a folder, or its <c>model.json</c>) onto a device, after checking the
    /// weights' SHA-256 against the metadata.
    /// </summary>
    /// <exception cref="CheckpointException">
    /// The metadata is missing or malformed, or the weights are missing, truncated, altered or foreign.
    /// </exception>
    public static ExpressionModel Load(string path, Device? device = null)
    {
        var metadata = ReadMetadata(path);
        var folder = FolderOf(path);
        var weights = Path.Combine(folder, WeightsFile);
        if (!File.Exists(weights))
        {
            throw new CheckpointException($"The checkpoint '{path}' has no {WeightsFile}.");
        }

        var hash = HashOf(weights);
        if (!hash.Equals(metadata.WeightsSha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new CheckpointException(
                $"The weights of '{path}' do not match its metadata (SHA-256 {hash}, expected {metadata.WeightsSha256}): "
                + "the file is corrupt, truncated or not this model's.");
        }

        nn.Module<Tensor, Tensor>? net = null;
        try
        {
            net = metadata.Architecture.Create(metadata.Labels.Count);
            net.load(weights, strict: true);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            net?.Dispose();
            throw new CheckpointException($"The weights of '{path}' do not fit its architecture: {e.Message}", e);
        }

        var target = device ?? CPU;
        net.to(target);
        net.eval();
        return new ExpressionModel(metadata, net, target);
    }

    /// <summary>SHA-256 of a file, lower-case hex.</summary>
    public static string HashOf(string file)
    {
        using var stream = File.OpenRead(file);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    private static string FolderOf(string path)
    {
        if (Directory.Exists(path))
        {
            return path;
        }

        if (File.Exists(path))
        {
            return Path.GetDirectoryName(Path.GetFullPath(path))!;
        }

        throw new CheckpointException($"The checkpoint '{path}' does not exist.");
    }
}
