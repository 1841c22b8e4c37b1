using ExpressionNet.Checkpoints;
using ExpressionNet.Data;
using ExpressionNet.Models;
using static TorchSharp.torch;

namespace ExpressionNet.Tests;

public sealed class ModelCheckpointTests : IDisposable
{
    private static readonly ExpNetOptions _smallNet = new() { Widths = [8, 16, 16], HiddenUnits = 32 };

    private readonly TemporaryFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void LoadedModelPredictsExactlyAsTheSavedOne()
    {
        using var scope = NewDisposeScope();
        var pixels = randint(0, 256, [5, 1, 48, 48]).to_type(ScalarType.Byte);
        using var saved = new ExpressionModel(Save(_folder.Path, seed: 1, out var net), net, CPU);
        net.eval();
        var before = saved.Probabilities(pixels);

        using var loaded = ModelCheckpoint.Load(_folder.Path);
        var after = loaded.Probabilities(pixels);

        Assert.Equal([5L, 3], after.shape);
        Assert.True(after.allclose(before, rtol: 0, atol: 0));
    }

    [Fact]
    public void LoadedModelKeepsItsMetadataAndIsInEvaluationMode()
    {
        var written = SaveModel(_folder.Path);

        using var loaded = ModelCheckpoint.Load(Path.Combine(_folder.Path, ModelCheckpoint.MetadataFile));

        Assert.Equal(["angry", "happy", "sad"], loaded.Labels);
        Assert.Equal(written.WeightsSha256, loaded.Metadata.WeightsSha256);
        Assert.Equal(_smallNet.Widths, loaded.Metadata.Architecture.ExpNet!.Widths);
        Assert.Equal(_smallNet.HiddenUnits, loaded.Metadata.Architecture.ExpNet.HiddenUnits);
        Assert.Equal(ModelCheckpoint.HashOf(_folder[ModelCheckpoint.WeightsFile]), written.WeightsSha256);
        Assert.False(loaded.Net.training);
    }

    [Fact]
    public void WeightsWithOneByteChangedAreRejectedAsNotMatchingTheMetadata()
    {
        SaveModel(_folder.Path);
        var weights = File.ReadAllBytes(_folder[ModelCheckpoint.WeightsFile]);
        weights[weights.Length / 2] ^= 0x01;
        File.WriteAllBytes(_folder[ModelCheckpoint.WeightsFile], weights);

        var error = Assert.Throws<CheckpointException>(() => ModelCheckpoint.Load(_folder.Path));

        Assert.Contains("do not match its metadata", error.Message);
        Assert.Contains("corrupt, truncated or not this model's", error.Message);
    }

    [Fact]
    public void TruncatedWeightsAreRejectedAsNotMatchingTheMetadata()
    {
        SaveModel(_folder.Path);
        var weights = File.ReadAllBytes(_folder[ModelCheckpoint.WeightsFile]);
        File.WriteAllBytes(_folder[ModelCheckpoint.WeightsFile], weights[..(weights.Length - 100)]);

        var error = Assert.Throws<CheckpointException>(() => ModelCheckpoint.Load(_folder.Path));

        Assert.Contains("do not match its metadata", error.Message);
    }

    [Fact]
    public void AnotherModelsWeightsAreRejectedAsNotMatchingTheMetadata()
    {
        SaveModel(_folder.Path);
        SaveModel(_folder["other"], seed: 2);
        File.Copy(_folder["other/model.weights"], _folder[ModelCheckpoint.WeightsFile], overwrite: true);

        var error = Assert.Throws<CheckpointException>(() => ModelCheckpoint.Load(_folder.Path));

        Assert.Contains("do not match its metadata", error.Message);
    }

    [Fact]
    public void WeightsOfAnotherShapeAreRejectedAsNotFittingTheArchitecture()
    {
        var written = SaveModel(_folder.Path);
        ModelCheckpoint.WriteMetadata(_folder.Path, written with { Labels = ["a", "b", "c", "d"] });

        var error = Assert.Throws<CheckpointException>(() => ModelCheckpoint.Load(_folder.Path));

        Assert.Contains("do not fit its architecture", error.Message);
    }

    [Fact]
    public void CheckpointWithoutWeightsIsRejectedSayingSo()
    {
        SaveModel(_folder.Path);
        File.Delete(_folder[ModelCheckpoint.WeightsFile]);

        var error = Assert.Throws<CheckpointException>(() => ModelCheckpoint.Load(_folder.Path));

        Assert.Contains("has no model.weights", error.Message);
    }

    [Fact]
    public void FolderWithoutMetadataIsRejectedAsNoCheckpoint()
    {
        _folder.Write(ModelCheckpoint.WeightsFile, [1, 2, 3]);

        var error = Assert.Throws<CheckpointException>(() => ModelCheckpoint.Load(_folder.Path));

        Assert.Contains("is not a model checkpoint: it has no model.json", error.Message);
    }

    [Fact]
    public void MissingCheckpointIsRejectedSayingItDoesNotExist()
    {
        var error = Assert.Throws<CheckpointException>(() => ModelCheckpoint.Load(_folder["nothing-here"]));

        Assert.Contains("does not exist", error.Message);
    }

    [Theory]
    [InlineData("not json at all")]
    [InlineData("[1, 2, 3]")]
    [InlineData("{\"name\": \"a report\", \"accuracy\": 0.5}")]
    public void MetadataThatIsNotCheckpointMetadataIsRejectedAsSuch(string content)
    {
        SaveModel(_folder.Path);
        _folder.WriteText(ModelCheckpoint.MetadataFile, content);

        var error = Assert.Throws<CheckpointException>(() => ModelCheckpoint.Load(_folder.Path));

        Assert.Contains("is not valid checkpoint metadata", error.Message);
        Assert.Contains(ModelCheckpoint.MetadataFile, error.Message);
    }

    [Theory]
    [InlineData("null")]
    [InlineData("{\"format\": \"expressionnet-checkpoint/0\", \"name\": \"m\", \"labels\": [\"a\", \"b\"], "
        + "\"architecture\": {\"kind\": \"ExpNet\"}, \"preprocessing\": {}, \"weightsSha256\": \"\"}")]
    public void MetadataOfAnotherFormatIsRejectedNamingTheFormat(string content)
    {
        SaveModel(_folder.Path);
        _folder.WriteText(ModelCheckpoint.MetadataFile, content);

        var error = Assert.Throws<CheckpointException>(() => ModelCheckpoint.Load(_folder.Path));

        Assert.Contains($"is not checkpoint metadata of format {ModelMetadata.CurrentFormat}", error.Message);
    }

    private static ModelMetadata SaveModel(string folder, int seed = 1)
    {
        var metadata = Save(folder, seed, out var net);
        net.Dispose();
        return metadata;
    }

    private static ModelMetadata Save(string folder, int seed, out ExpNet net)
    {
        manual_seed(seed);
        net = new ExpNet(_smallNet, classCount: 3);
        return ModelCheckpoint.Save(folder, net, Metadata());
    }

    private static ModelMetadata Metadata() => new()
    {
        Name = "test-model",
        Labels = ["angry", "happy", "sad"],
        Architecture = new ModelArchitecture { Kind = ModelKind.ExpNet, ExpNet = _smallNet },
        Preprocessing = new Preprocessing(),
        FlipAtTest = true,
        WeightsSha256 = "",
    };
}
