using static TorchSharp.torch;

namespace ExpressionNet.Tests;

public class TorchSharpLoadsTests
{
    [Fact]
    public void NativeLibTorchLoadsAndComputes()
    {
        using var sum = ones(2, 3).sum();

        Assert.Equal(6f, sum.item<float>());
    }
}
