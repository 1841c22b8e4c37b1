using System.ComponentModel.DataAnnotations;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace ExpressionNet.Data;

/// <summary>
/// Random geometric augmentation for training: a small rotation, a zoom and shift (a random crop),
/// and a horizontal flip. One transform is drawn per image and applied to every view of it, so a
/// student and a teacher looking at different resolutions see the same augmented face.
/// </summary>
public sealed record Augmentation
{
    /// <summary>Whether images are mirrored left-right half of the time.</summary>
    public bool Flip { get; init; } = true;

    /// <summary>Largest rotation, in degrees, either way.</summary>
    [Range(0.0, 45.0)]
    public double MaxRotation { get; init; } = 10;

    /// <summary>Largest shift, as a fraction of the image side, in each direction.</summary>
    [Range(0.0, 0.5)]
    public double MaxShift { get; init; } = 0.08;

    /// <summary>Largest zoom in or out, as a fraction (0.1 draws scales from 0.9 to 1.1).</summary>
    [Range(0.0, 0.5)]
    public double MaxZoom { get; init; } = 0.1;

    /// <summary>No augmentation at all.</summary>
    public static Augmentation None { get; } = new() { Flip = false, MaxRotation = 0, MaxShift = 0, MaxZoom = 0 };

    /// <summary>
    /// Augments a batch. Each view is [N, C, S, S] floating point on one device; the result has the
    /// same shapes.
    /// </summary>
    public Tensor[] Apply(IReadOnlyList<Tensor> views, Generator generator)
    {
        if (this == None)
        {
            return views.Select(v => v.alias()).ToArray();
        }

        var first = views[0];
        var count = first.shape[0];
        var device = first.device;

        using var scope = NewDisposeScope();
        var angle = Uniform(count, MaxRotation * Math.PI / 180, generator);
        var scale = Uniform(count, MaxZoom, generator).add_(Scalars.One);
        var shiftX = Uniform(count, 2 * MaxShift, generator);
        var shiftY = Uniform(count, 2 * MaxShift, generator);
        var mirror = Flip
            ? rand(count, generator: generator).lt(Scalars.Half).to_type(ScalarType.Float32).mul_(Scalars.MinusTwo).add_(Scalars.One)
            : ones(count);

        // The sampling grid maps output coordinates to input ones, so a zoom-in divides.
        var cos = angle.cos() / scale;
        var sin = angle.sin() / scale;
        var theta = stack([cos * mirror, -sin, shiftX, sin * mirror, cos, shiftY], dim: 1)
            .view(count, 2, 3)
            .to(device);

        var results = views.Select(view =>
        {
            var grid = affine_grid(theta, view.shape, align_corners: false);
            return grid_sample(view, grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Border, align_corners: false)
                .MoveToOuterDisposeScope();
        }).ToArray();
        return results;
    }

    private static Tensor Uniform(long count, double halfWidth, Generator generator)
    {
        using var width = (2 * halfWidth).ToScalar();
        using var offset = halfWidth.ToScalar();
        return rand(count, generator: generator).mul_(width).sub_(offset);
    }
}
