// Decodes JPEG crops with SixLabors.ImageSharp, the decoder ExpressionNet itself uses, so that the reference
// descriptors are computed on exactly the pixels the .NET tests feed the port. Called by
// reference-descriptors.mjs; by hand:
//   dotnet run decode-crops.cs -- <dataRoot> <outDir> <image> <x> <y> <width> <height> [<image> <x> ...]
// Writes <outDir>/<k>.rgb for the k-th crop: height x width x RGB bytes, rows top to bottom.
#:package SixLabors.ImageSharp
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

if (args.Length < 7 || (args.Length - 2) % 5 != 0)
{
    Console.Error.WriteLine("usage: decode-crops.cs <dataRoot> <outDir> (<image> <x> <y> <width> <height>)+");
    return 2;
}

var (dataRoot, outDir) = (args[0], args[1]);
for (var k = 0; (k + 1) * 5 + 2 <= args.Length; k++)
{
    var crop = args.AsSpan(2 + 5 * k, 5);
    var (x, y) = (int.Parse(crop[1]), int.Parse(crop[2]));
    var (width, height) = (int.Parse(crop[3]), int.Parse(crop[4]));
    using var image = Image.Load<Rgb24>(Path.Combine(dataRoot, crop[0]));
    if (x < 0 || y < 0 || x + width > image.Width || y + height > image.Height)
    {
        Console.Error.WriteLine($"{crop[0]} is {image.Width}x{image.Height}; the crop lies outside it.");
        return 1;
    }

    var all = new byte[image.Width * image.Height * 3];
    image.CopyPixelDataTo(all);
    var pixels = new byte[width * height * 3];
    for (var row = 0; row < height; row++)
    {
        all.AsSpan(((y + row) * image.Width + x) * 3, width * 3).CopyTo(pixels.AsSpan(row * width * 3));
    }

    File.WriteAllBytes(Path.Combine(outDir, $"{k}.rgb"), pixels);
}

return 0;
