using System.Security.Cryptography;
using System.Text.Json;
using ExpressionNet.Models;
using ExpressionNet.Weights;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using TorchSharp;
using static TorchSharp.torch;

namespace ExpressionNet.Tests;

public sealed class FaceRecognitionNetTests(FaceRecognitionNetTests.PretrainedNet pretrained)
    : IClassFixture<FaceRecognitionNetTests.PretrainedNet>
{
    private const float Tolerance = 1e-3f;

    private static readonly Lazy<ReferenceFace[]> _references = new(ReadReferences);

    public static TheoryData<string> ReferenceImages()
    {
        var images = new TheoryData<string>();
        foreach (var face in _references.Value)
        {
            images.Add(face.Image);
        }

        return images;
    }

    [Theory]
    [MemberData(nameof(ReferenceImages))]
    public void DescriptorsMatchTheFaceApiImplementationOnRealFaces(string image)
    {
        var face = _references.Value.Single(f => f.Image == image);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var (pixels, sha256) = ReadCrop(face);

        var descriptor = pretrained.Net.call(pixels)[0].data<float>().ToArray();

        Assert.Equal(FaceRecognitionNet.DescriptorSize, descriptor.Length);
        var gaps = descriptor.Select((value, i) => Math.Abs(value - face.Descriptor[i])).ToArray();
        var worst = Array.IndexOf(gaps, gaps.Max());
        var pixelNote = sha256 == face.PixelsSha256
            ? "on the same pixels face-api saw"
            : "but ImageSharp decoded other pixels here than when the references were made";
        Assert.True(
            gaps[worst] <= Tolerance,
            $"Element {worst}: port {descriptor[worst]}, face-api {face.Descriptor[worst]} ({pixelNote}).");
    }

    [Theory]
    [InlineData(71, 1)]
    [InlineData(96, 1)]
    [InlineData(112, 1)]
    [InlineData(134, 1)]
    [InlineData(135, 2)]
    [InlineData(150, 2)]
    [InlineData(224, 3)]
    public void FeatureMapSizeFollowsTheInputSize(int inputSize, int mapSize)
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();

        var features = pretrained.Net.Features(rand(2, 3, inputSize, inputSize) * 255);

        Assert.Equal([2L, FaceRecognitionNet.FeatureChannels, mapSize, mapSize], features.shape);
    }

    [Fact]
    public void ForwardIsTheFullyConnectedLayerAppliedToTheMeanFeature()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var nativeFaces = _references.Value.Where(f => f.Crop.Width == FaceRecognitionNet.NativeInputSize);
        var faces = cat(nativeFaces.Select(f => ReadCrop(f).Pixels).ToList());
        var fc = pretrained.Net.named_parameters().Single(p => p.name == "fc.weight").parameter;

        var features = pretrained.Net.Features(faces);
        var descriptors = pretrained.Net.call(faces);

        Assert.Equal([faces.shape[0], FaceRecognitionNet.FeatureChannels, 2, 2], features.shape);
        Assert.True(descriptors.allclose(features.mean([2, 3]).matmul(fc.t()), rtol: 0, atol: 1e-6));
    }

    [Theory]
    [InlineData(3, FaceRecognitionNet.MinInputSize - 1)]
    [InlineData(1, FaceRecognitionNet.NativeInputSize)]
    public void InputsTheNetCannotTakeAreRejected(int channels, int size)
    {
        using var scope = NewDisposeScope();

        Assert.Throws<ArgumentException>(() => pretrained.Net.call(zeros(1, channels, size, size)));
    }

    [Fact]
    public void ChildrenCarryFaceApiNamesAndHoldEveryManifestWeight()
    {
        var manifest = TfjsWeights.Load(FaceApiModels.DefaultDirectory, FaceApiModels.FaceRecognition);

        var children = pretrained.Net.named_children().Select(c => c.name);
        var parameters = pretrained.Net.named_parameters().ToList();

        Assert.Equal(
            [
                "conv32_down", "conv32_1", "conv32_2", "conv32_3",
                "conv64_down", "conv64_1", "conv64_2", "conv64_3",
                "conv128_down", "conv128_1", "conv128_2",
                "conv256_down", "conv256_1", "conv256_2", "conv256_down_out", "fc",
            ],
            children);
        Assert.Equal(manifest.Names.Count, parameters.Count);
        Assert.Contains(parameters, p => p.name == "conv256_down_out.conv2.scale.bias");
    }

    [Fact]
    public void ASavedNetLoadsIntoAFreshOneAndGivesTheSameDescriptors()
    {
        var folder = Directory.CreateTempSubdirectory("face-recognition-net-");
        try
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var path = Path.Combine(folder.FullName, "face-net.bin");
            var face = ReadCrop(_references.Value[0]).Pixels;

            pretrained.Net.save(path);
            using var copy = new FaceRecognitionNet();
            copy.load(path);
            copy.eval();

            Assert.True(copy.call(face).eq(pretrained.Net.call(face)).all().item<bool>());
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void GradientsReachEveryParameter()
    {
        using var net = FaceRecognitionNet.Load(FaceApiModels.DefaultDirectory);
        using var scope = NewDisposeScope();
        net.train();

        net.call(ReadCrop(_references.Value[0]).Pixels).square().sum().backward();

        Assert.All(
            net.named_parameters(),
            p => Assert.True(p.parameter.grad is { } grad && grad.abs().sum().item<float>() > 0, p.name));
    }

    [Fact]
    public void AfterMovingToDoublePrecisionForwardUsesTheMovedParameters()
    {
        using var net = FaceRecognitionNet.Load(FaceApiModels.DefaultDirectory);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        net.eval();
        var face = ReadCrop(_references.Value[0]).Pixels;
        var single = net.call(face);

        net.to(ScalarType.Float64);
        var doubled = net.call(face.to(ScalarType.Float64));
        net.named_parameters().Single(p => p.name == "conv32_down.scale.weight").parameter.zero_();
        var edited = net.call(face.to(ScalarType.Float64));

        Assert.All(net.parameters(), p => Assert.Equal(ScalarType.Float64, p.dtype));
        Assert.True(doubled.allclose(single.to(ScalarType.Float64), rtol: 0, atol: 1e-5));
        Assert.False(edited.allclose(doubled));
    }

    private static (Tensor Pixels, string Sha256) ReadCrop(ReferenceFace face)
    {
        using var image = Image.Load<Rgb24>(Path.Combine(SharedData.Root, face.Image));
        var all = new byte[image.Width * image.Height * 3];
        image.CopyPixelDataTo(all);

        var (x, y, width, height) = (face.Crop.X, face.Crop.Y, face.Crop.Width, face.Crop.Height);
        var crop = new byte[width * height * 3];
        for (var row = 0; row < height; row++)
        {
            all.AsSpan(((y + row) * image.Width + x) * 3, width * 3).CopyTo(crop.AsSpan(row * width * 3));
        }

        var pixels = tensor(crop, ScalarType.Byte).view(1, height, width, 3).permute(0, 3, 1, 2);
        return (pixels.to(ScalarType.Float32), Convert.ToHexStringLower(SHA256.HashData(crop)));
    }

    private static ReferenceFace[] ReadReferences()
    {
        using var stream = File.OpenRead(SharedData.TestData("face-descriptors.json"));
        return JsonSerializer.Deserialize<ReferenceSet>(stream, JsonSerializerOptions.Web)?.Faces
            ?? throw new InvalidDataException("face-descriptors.json holds no faces.");
    }

    /// <summary>The pretrained net, loaded once for the tests that only read it.</summary>
    public sealed class PretrainedNet : IDisposable
    {
        public PretrainedNet()
        {
            Net = FaceRecognitionNet.Load(FaceApiModels.DefaultDirectory);
            Net.eval();
        }

        public FaceRecognitionNet Net { get; }

        public void Dispose() => Net.Dispose();
    }

    private sealed record ReferenceSet(ReferenceFace[] Faces);

    private sealed record ReferenceFace(
        string Image, CropRectangle Crop, string PixelsSha256, float[] Descriptor);

    private sealed record CropRectangle(int X, int Y, int Width, int Height);
}
