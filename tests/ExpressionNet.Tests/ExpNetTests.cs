using ExpressionNet.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace ExpressionNet.Tests;

public class ExpNetTests
{
    [Fact]
    public void LogitsHaveOneRowPerImageAndOneColumnPerClass()
    {
        using var scope = NewDisposeScope();
        using var net = new ExpNet(new ExpNetOptions(), classCount: 7);

        var logits = net.call(rand(3, 1, 48, 48));

        Assert.Equal([3L, 7], logits.shape);
    }

    [Fact]
    public void FeaturesAreFiveHundredTwelveMapsOfOnePixelAt48()
    {
        using var scope = NewDisposeScope();
        using var net = new ExpNet(new ExpNetOptions(), classCount: 7);

        var features = net.Features(rand(2, 1, 48, 48));

        Assert.Equal([2L, 512, 1, 1], features.shape);
        Assert.Equal(512, net.FeatureChannels);
    }

    [Fact]
    public void FeaturesAreTwoByTwoAt64AndTheHeadFitsThem()
    {
        using var scope = NewDisposeScope();
        using var net = new ExpNet(new ExpNetOptions { InputSize = 64 }, classCount: 3);
        var input = rand(2, 1, 64, 64);

        var features = net.Features(input);
        var logits = net.call(input);

        Assert.Equal([2L, 512, 2, 2], features.shape);
        Assert.Equal([2L, 3], logits.shape);
    }

    [Fact]
    public void RgbNetReadsThreeChannels()
    {
        using var scope = NewDisposeScope();
        using var net = new ExpNet(new ExpNetOptions { Colour = ColourMode.Rgb, Widths = [8, 16] }, classCount: 2);

        var logits = net.call(rand(1, 3, 48, 48));

        Assert.Equal([1L, 2], logits.shape);
    }

    [Fact]
    public void BatchNormFollowsEveryConvolutionWhichThenHasNoBias()
    {
        using var plain = new ExpNet(new ExpNetOptions(), classCount: 2);
        using var normalised = new ExpNet(new ExpNetOptions { BatchNorm = true }, classCount: 2);

        Assert.Empty(plain.modules().OfType<BatchNorm2d>());
        Assert.Equal(5, normalised.modules().OfType<BatchNorm2d>().Count());
        Assert.All(plain.modules().OfType<Conv2d>(), conv => Assert.NotNull(conv.bias));
        Assert.All(normalised.modules().OfType<Conv2d>(), conv => Assert.Null(conv.bias));
    }

    [Fact]
    public void TwoConvolutionsPerBlockDoubleTheDepthAndKeepTheTopMap()
    {
        using var scope = NewDisposeScope();
        using var net = new ExpNet(new ExpNetOptions { ConvolutionsPerBlock = 2, Widths = [8, 16, 16] }, classCount: 3);

        var features = net.Features(rand(2, 1, 48, 48));

        Assert.Equal(6, net.modules().OfType<Conv2d>().Count());
        Assert.Equal(3, net.modules().OfType<MaxPool2x2>().Count());
        Assert.Equal([2L, 16, 6, 6], features.shape);
    }

    [Theory]
    [InlineData(48)]
    [InlineData(3)]
    [InlineData(7)]
    public void PoolingForServingGivesTheValuesOfTrainingPooling(int size)
    {
        using var scope = NewDisposeScope();
        using var pool = new MaxPool2x2();
        var input = randn(2, 3, size, size);
        var expected = nn.functional.max_pool2d(input, kernel_size: 2, stride: 2);

        pool.eval();
        Tensor served;
        using (inference_mode())
        {
            served = pool.call(input);
        }

        Assert.Equal(expected.shape, served.shape);
        Assert.True(served.allclose(expected, rtol: 0, atol: 0));
    }

    [Fact]
    public void ResetHeadRedrawsTheClassifierAndKeepsTheConvolutions()
    {
        using var scope = NewDisposeScope();
        using var net = new ExpNet(new ExpNetOptions { Widths = [8, 16] }, classCount: 4);
        var features = Snapshot(net.FeatureLayers);
        var head = Snapshot(net.Head);

        net.ResetHead();

        Assert.All(features.Zip(Snapshot(net.FeatureLayers)), p => Assert.True(p.First.allclose(p.Second, 0, 0)));
        Assert.Contains(head.Zip(Snapshot(net.Head)), p => !p.First.allclose(p.Second));
    }

    [Fact]
    public void FewerThanTwoClassesAreRejected() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new ExpNet(new ExpNetOptions(), classCount: 1));

    private static List<Tensor> Snapshot(nn.Module module) =>
        module.parameters().Select(p => p.detach().clone()).ToList();
}
