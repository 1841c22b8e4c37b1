using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace ExpressionNet.Models;

/// <summary>
/// A 2x2 max-pool with stride 2 that drops a last odd row or column, as <c>MaxPool2d(2, 2)</c> does.
/// </summary>
/// <remarks>
/// When no gradient is wanted (serving, validation) it takes the larger of neighbouring rows, then of
/// neighbouring columns: the same values as LibTorch's CPU <c>max_pool2d</c>, which on this net's
/// first map (64 x 48 x 48 x 48) takes about fifteen times as long. Training keeps <c>max_pool2d</c>,
/// whose backward pass is the faster one.
/// </remarks>
internal sealed class MaxPool2x2() : Module<Tensor, Tensor>(nameof(MaxPool2x2))
{
    public override Tensor forward(Tensor input)
    {
        if (training || is_grad_enabled())
        {
            return functional.max_pool2d(input, kernel_size: 2, stride: 2);
        }

        using var rows = MaxOfPairs(input, dim: 2);
        return MaxOfPairs(rows, dim: 3);
    }

    // Element i along dim becomes the larger of elements 2i and 2i + 1.
    private static Tensor MaxOfPairs(Tensor x, int dim)
    {
        var pairs = x.shape[dim] / 2;
        using var even = x.slice(dim, 0, 2 * pairs, 2);
        using var odd = x.slice(dim, 1, 2 * pairs, 2);
        return maximum(even, odd);
    }
}
