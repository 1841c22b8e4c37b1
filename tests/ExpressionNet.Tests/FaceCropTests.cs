using ExpressionNet.Data;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace ExpressionNet.Tests;

public class FaceCropTests
{
    private const string FerImage = "fer2013/test/happy/PrivateTest_10077120.png";

    [Fact]
    public void RegionWithoutFaceIsTheLargestCentredSquare()
    {
        var landscape = FaceCrop.Region(new Size(450, 300), face: null, margin: 0.5);
        var portrait = FaceCrop.Region(new Size(300, 450), face: null, margin: 0.5);

        Assert.Equal(new RectangleF(75, 0, 300, 300), landscape);
        Assert.Equal(new RectangleF(0, 75, 300, 300), portrait);
    }

    [Fact]
    public void RegionAroundAFaceIsASquareOnItsLongerSideWidenedByTheMarginOnEachSide()
    {
        var face = new RectangleF(100, 50, 80, 100);

        var tight = FaceCrop.Region(new Size(450, 450), face, margin: 0);
        var widened = FaceCrop.Region(new Size(450, 450), face, margin: 0.25);

        Assert.Equal(new RectangleF(90, 50, 100, 100), tight);
        Assert.Equal(new RectangleF(65, 25, 150, 150), widened);
    }

    [Fact]
    public void RegionMayReachOutsideTheImage()
    {
        var region = FaceCrop.Region(new Size(100, 100), new RectangleF(0, 0, 40, 40), margin: 0.5);

        Assert.Equal(new RectangleF(-20, -20, 80, 80), region);
    }

    [Fact]
    public void GreyPixelsOfAFerImageAtItsOwnSizeAreTheFilesPixels()
    {
        var path = Path.Combine(SharedData.Root, FerImage);
        using var grey = Image.Load<L8>(path);
        var expected = new byte[48 * 48];
        grey.CopyPixelDataTo(expected);
        using var image = Image.Load<Rgb24>(path);

        var pixels = FaceCrop.Pixels(image, FaceCrop.Region(image.Size(), null, 0), 48, 1);

        Assert.Equal(expected, pixels);
    }

    [Fact]
    public void RegionReachingOutsideTheImageIsPaddedBlack()
    {
        var path = Path.Combine(SharedData.Root, FerImage);
        using var grey = Image.Load<L8>(path);
        var original = new byte[48 * 48];
        grey.CopyPixelDataTo(original);
        using var image = Image.Load<Rgb24>(path);

        var pixels = FaceCrop.Pixels(image, new RectangleF(-24, -24, 96, 96), 96, 1);

        for (var y = 0; y < 96; y++)
        {
            for (var x = 0; x < 96; x++)
            {
                var inside = x is >= 24 and < 72 && y is >= 24 and < 72;
                var expected = inside ? original[(y - 24) * 48 + x - 24] : 0;
                var actual = pixels[y * 96 + x];
                Assert.True(expected == actual, $"pixel ({x}, {y}) is {actual}, not {expected}");
            }
        }
    }

    [Fact]
    public void RegionWhollyOutsideTheImageIsBlack()
    {
        using var image = new Image<Rgb24>(48, 48, new Rgb24(200, 200, 200));

        var pixels = FaceCrop.Pixels(image, new RectangleF(100, 100, 40, 40), 16, 3);

        Assert.All(pixels, p => Assert.Equal(0, p));
    }

    [Fact]
    public void RgbPixelsArePlanarRedThenGreenThenBlueInRowOrder()
    {
        using var image = new Image<Rgb24>(8, 8, new Rgb24(10, 20, 30));
        image[7, 0] = new Rgb24(255, 128, 1);

        var pixels = FaceCrop.Pixels(image, new RectangleF(0, 0, 8, 8), 8, 3);

        Assert.Equal(3 * 64, pixels.Length);
        Assert.Equal((255, 128, 1), (pixels[7], pixels[64 + 7], pixels[128 + 7]));
        Assert.Equal((10, 20, 30), (pixels[8], pixels[64 + 8], pixels[128 + 8]));
        Assert.Equal(63, pixels.Take(64).Count(p => p == 10));
    }

    [Fact]
    public void GreyPixelsAreTheBt601LuminanceOfColour()
    {
        using var image = new Image<Rgb24>(4, 4, new Rgb24(255, 0, 0));
        image[0, 0] = new Rgb24(0, 255, 0);
        image[1, 0] = new Rgb24(0, 0, 255);

        var pixels = FaceCrop.Pixels(image, new RectangleF(0, 0, 4, 4), 4, 1);

        Assert.Equal([150, 29, 76], pixels.Take(3));
    }
}
