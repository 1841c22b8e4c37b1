using System.Text.Json;
using ExpressionNet.Detection;
using ExpressionNet.Models;
using ExpressionNet.Weights;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace ExpressionNet.Tests;

public class TinyFaceDetectorNetTests(ITestOutputHelper output)
{
    private static readonly JsonSerializerOptions _json = new(JsonSerializerDefaults.Web);

    [Theory]
    [InlineData(160)]
    [InlineData(128)]
    public void OnIdenticalPixelsTheGridMatchesFaceApi(int inputSize)
    {
        var reference = ReadGrids().Single(g => g.InputSize == inputSize);
        using var image = Synthetic(reference.Width, reference.Height);
        using var net = TinyFaceDetectorNet.Load(FaceApiModels.DefaultDirectory);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();

        var grid = net.forward(FaceDetector.ToNetInput(image, inputSize, CPU)).permute(0, 2, 3, 1);

        Assert.Equal(reference.Shape, grid.shape);
        var expected = tensor(reference.Values, reference.Shape);
        var deviation = (grid - expected).abs().max().item<float>();
        output.WriteLine($"largest deviation {deviation:E2}");
        Assert.InRange(deviation, 0, 2e-4f);
    }

    [Theory]
    [InlineData(416, 13)]
    [InlineData(320, 10)]
    [InlineData(608, 19)]
    public void OutputIsA25ChannelGridOfOneCellPer32InputPixels(int inputSize, int cells)
    {
        using var net = TinyFaceDetectorNet.Load(FaceApiModels.DefaultDirectory);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();

        var output = net.forward(rand(2, 3, inputSize, inputSize) * 255);

        Assert.Equal([2L, 25, cells, cells], output.shape);
    }

    [Fact]
    public void LayersAndTheMeanColourAreRegisteredAsComponents()
    {
        using var net = new TinyFaceDetectorNet();

        var parameters = net.named_parameters().Select(p => p.name).ToList();
        var buffers = net.named_buffers().Select(b => b.name).ToList();

        Assert.Equal(19, parameters.Count);
        Assert.Contains("conv0.weight", parameters);
        Assert.Contains("blocks.4.pointwise.bias", parameters);
        Assert.Contains("conv8.bias", parameters);
        Assert.Equal(["mean_rgb"], buffers);
    }

    [Fact]
    public void ConvertingTheNetConvertsItsMeanColourToo()
    {
        using var net = TinyFaceDetectorNet.Load(FaceApiModels.DefaultDirectory);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var input = rand(1, 3, 64, 64) * 255;
        var single = net.forward(input);

        net.to(ScalarType.Float64);
        var twice = net.forward(input.to(ScalarType.Float64));

        Assert.Equal(ScalarType.Float64, twice.dtype);
        Assert.True(twice.to(ScalarType.Float32).allclose(single, rtol: 1e-4, atol: 1e-4));
    }

    private static IReadOnlyList<ReferenceGrid> ReadGrids()
    {
        var path = SharedData.TestData("tiny-face-detector-grids.json");
        return JsonSerializer.Deserialize<ReferenceGrids>(File.ReadAllBytes(path), _json)?.Grids
            ?? throw new InvalidDataException($"{path} is empty.");
    }

    // The formula that tools/face-api/reference-detections.mjs uses, so no pixels need storing.
    private static Image<Rgb24> Synthetic(int width, int height)
    {
        var image = new Image<Rgb24>(width, height);
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                image[x, y] = new Rgb24(Value(x, y, 0), Value(x, y, 1), Value(x, y, 2));
            }
        }

        return image;

        static byte Value(int x, int y, int c) => (byte)((x * x + 3 * x * y + 7 * (c + 1) * y) % 256);
    }

    private sealed record ReferenceGrids(IReadOnlyList<ReferenceGrid> Grids);

    private sealed record ReferenceGrid(int Width, int Height, int InputSize, long[] Shape, float[] Values);
}
