using ExpressionNet.Data;
using SixLabors.ImageSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn.functional;

namespace ExpressionNet.Tests;

public class AugmentationTests
{
    private static readonly Augmentation _flipOnly = Augmentation.None with { Flip = true };

    [Fact]
    public void NoneReturnsThePixelsUnchanged()
    {
        using var scope = NewDisposeScope();
        var pixels = rand(4, 1, 16, 16);
        using var generator = new Generator(1);

        var augmented = Augmentation.None.Apply([pixels], generator);

        Assert.True(augmented.Single().allclose(pixels, rtol: 0, atol: 0));
    }

    [Fact]
    public void FlipAloneGivesEachImageOrItsMirrorImageAndSomeOfBoth()
    {
        using var scope = NewDisposeScope();
        var pixels = rand(16, 3, 12, 12);
        using var generator = new Generator(3);

        var augmented = _flipOnly.Apply([pixels], generator).Single();

        var kept = 0;
        var mirrored = 0;
        for (var i = 0; i < 16; i++)
        {
            var same = augmented[i].allclose(pixels[i], rtol: 0, atol: 1e-5);
            var mirror = augmented[i].allclose(pixels[i].flip(2), rtol: 0, atol: 1e-5);
            Assert.True(same || mirror, $"image {i} is neither the original nor its mirror image");
            kept += same ? 1 : 0;
            mirrored += mirror ? 1 : 0;
        }

        Assert.InRange(kept, 1, 15);
        Assert.InRange(mirrored, 1, 15);
    }

    [Fact]
    public void EveryViewOfAnImageGetsTheSameTransform()
    {
        using var scope = NewDisposeScope();
        var large = Faces(96);
        var small = avg_pool2d(large, 2);
        var augmentation = new Augmentation { MaxRotation = 15, MaxShift = 0.1, MaxZoom = 0.15 };
        using var generator = new Generator(11);
        using var otherGenerator = new Generator(12);

        var same = augmentation.Apply([large, small], generator);
        var other = augmentation.Apply([small], otherGenerator).Single();

        var mismatch = (avg_pool2d(same[0], 2) - same[1]).abs().mean([1, 2, 3]);
        var otherTransform = (other - same[1]).abs().mean([1, 2, 3]);
        var untouched = (small - same[1]).abs().mean([1, 2, 3]);
        for (var i = 0; i < 6; i++)
        {
            var (m, o, u) = (mismatch[i].item<float>(), otherTransform[i].item<float>(), untouched[i].item<float>());
            Assert.True(
                m < 0.02f && m < o / 4 && m < u / 4,
                $"face {i}: the views differ by {m:F4}, other transforms by {o:F4} and {u:F4}");
        }
    }

    [Fact]
    public void BrightnessAndContrastChangeEveryViewOfAnImageAlikeAndKeepPixelsInRange()
    {
        using var scope = NewDisposeScope();
        var large = rand(8, 1, 16, 16).mul_(0.4f).add_(0.3f);
        var small = avg_pool2d(large, 2);
        var photometric = Augmentation.None with { MaxBrightness = 0.1, MaxContrast = 0.3 };
        using var generator = new Generator(7);

        var augmented = photometric.Apply([large, small], generator);

        Assert.True(avg_pool2d(augmented[0], 2).allclose(augmented[1], rtol: 0, atol: 1e-5));
        Assert.False(augmented[0].allclose(large, rtol: 0, atol: 1e-3));
        Assert.True(augmented[0].min().item<float>() >= 0 && augmented[0].max().item<float>() <= 1);
        var differences = (augmented[1] - small).mean([1, 2, 3]);
        Assert.True(differences.std().item<float>() > 1e-3, "every image got the same change");
    }

    [Fact]
    public void TheSameGeneratorSeedGivesTheSameAugmentation()
    {
        using var scope = NewDisposeScope();
        var pixels = rand(8, 1, 24, 24);
        var augmentation = new Augmentation();
        using var generator = new Generator(5);
        using var sameSeed = new Generator(5);
        using var otherSeed = new Generator(6);

        var first = augmentation.Apply([pixels], generator).Single();
        var again = augmentation.Apply([pixels], sameSeed).Single();
        var other = augmentation.Apply([pixels], otherSeed).Single();

        Assert.True(first.allclose(again, rtol: 0, atol: 0));
        Assert.False(first.allclose(other));
    }

    [Fact]
    public void AugmentedViewsKeepTheirShapes()
    {
        using var scope = NewDisposeScope();
        var views = new[] { rand(3, 1, 48, 48), rand(3, 3, 150, 150) };
        using var generator = new Generator(1);

        var augmented = new Augmentation().Apply(views, generator);

        Assert.Equal(views.Select(v => v.shape), augmented.Select(a => a.shape));
    }

    // Six grey FRL London faces, [6, 1, size, size], 0..1.
    private static Tensor Faces(int size)
    {
        var pixels = Enumerable.Range(1, 6).SelectMany(i =>
        {
            using var photo = SharedData.LoadPhoto($"frl-london/neutral/{i:D3}.jpg");
            return FaceCrop.Pixels(photo, FaceCrop.Region(photo.Size(), null, 0), size, 1);
        }).ToArray();
        return tensor(pixels, [6, 1, size, size]).to_type(ScalarType.Float32).div_(255f);
    }
}
