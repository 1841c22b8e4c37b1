using System.ComponentModel.DataAnnotations;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace ExpressionNet.Data;

/// <summary>
/// Random augmentation for training: a small rotation, a zoom and shift (a random crop), a horizontal
/// flip, and optionally a change of brightness and contrast. One transform is drawn per image and
/// applied to every view of it, so a student and a teacher looking at different resolutions see the
/// same augmented face.
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

    /// <summary>
    /// Largest change of brightness, as a fraction of the pixel range, either way (0: none). Photos
    /// lit unlike the training images then look less foreign to the model.
    /// </summary>
    [Range(0.0, 0.5)]
    public double MaxBrightness { get; init; }

    /// <summary>
    /// Largest change of contrast around each image's mean, as a fraction (0.2 scales by 0.8 to 1.2;
    /// 0: none).
    /// </summary>
    [Range(0.0, 0.9)]
    public double MaxContrast { get; init; }

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

        var (contrast, brightness) = (MaxContrast > 0 || MaxBrightness > 0)
            ? (PerImage(Uniform(count, MaxContrast, generator).add_(Scalars.One), device),
                PerImage(Uniform(count, MaxBrightness, generator), device))
            : (null, null);

        var results = views.Select(view =>
        {
            var grid = affine_grid(theta, view.shape, align_corners: false);
            var moved = grid_sample(view, grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Border, align_corners: false);
            if (contrast is not null && brightness is not null)
            {
                var mean = moved.mean([1, 2, 3], keepdim: true);
                moved = moved.sub(mean).mul_(contrast).add_(mean, Scalars.One).add_(brightness, Scalars.One)
                    .clamp_(Scalars.Zero, Scalars.One);
            }

            return moved.MoveToOuterDisposeScope();
        }).ToArray();
        return results;
    }

    // One value per image, shaped to scale or shift a batch [N, C, S, S].
    private static Tensor PerImage(Tensor values, Device device) => values.view(-1, 1, 1, 1).to(device);

    private static Tensor Uniform(long count, double halfWidth, Generator generator)
    {
        using var width = (2 * halfWidth).ToScalar();
        using var offset = halfWidth.ToScalar();
        return rand(count, generator: generator).mul_(width).sub_(offset);
    }
}
