using ExpressionNet.Tests;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace ExpressionService.Tests;

/// <summary>
/// The images the tests send: real photos of the shared data set, and images composed from them
/// or drawn on the spot. None is stored in the repository.
/// </summary>
public static class TestImages
{
    private static readonly Rgb24 Grey = new(128, 128, 128);

    /// <summary>A 450x450 FRL London portrait, e.g. "happy/001.jpg".</summary>
    public static byte[] Portrait(string file) => File.ReadAllBytes(PortraitPath(file));

    /// <summary>Every FRL London portrait of an expression ("neutral" or "happy"), by file name.</summary>
    public static IReadOnlyList<string> Portraits(string expression) =>
        Directory.EnumerateFiles(Path.Combine(SharedData.Root, "frl-london", expression), "*.jpg")
            .Select(path => $"{expression}/{Path.GetFileName(path)}")
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>A 48x48 grey FER2013 face crop (PNG).</summary>
    public static byte[] FerFace() =>
        File.ReadAllBytes(Path.Combine(SharedData.Root, "fer2013", "test", "happy", "PrivateTest_10077120.png"));

    /// <summary>A 900x450 JPEG: the neutral portrait 001 on the left, the happy portrait 002 on the right.</summary>
    public static byte[] TwoPortraitsSideBySide()
    {
        using var image = SharedData.Compose(
            900, 450, Grey, ("frl-london/neutral/001.jpg", 0, 0), ("frl-london/happy/002.jpg", 450, 0));
        return Jpeg(image);
    }

    /// <summary>A plain grey JPEG, with nothing in it to find.</summary>
    public static byte[] Blank(int width = 450, int height = 450)
    {
        using var image = new Image<Rgb24>(width, height, Grey);
        return Jpeg(image);
    }

    /// <summary>A plain grey PNG; large ones stay small on the wire, as the pixels compress to nothing.</summary>
    public static byte[] BlankPng(int width, int height)
    {
        using var image = new Image<L8>(width, height, new L8(128));
        using var stream = new MemoryStream();
        image.SaveAsPng(stream);
        return stream.ToArray();
    }

    private static string PortraitPath(string file) => Path.Combine(SharedData.Root, "frl-london", file);

    private static byte[] Jpeg(Image image)
    {
        using var stream = new MemoryStream();
        image.SaveAsJpeg(stream);
        return stream.ToArray();
    }
}
