using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace ExpressionNet.Data;

/// <summary>
/// Cuts a square face crop out of a photo and packs its pixels as a model reads them. The one
/// place where training and serving turn an image into input.
/// </summary>
public static class FaceCrop
{
    /// <summary>
    /// The square region, in image pixels, that a face box widened by <paramref name="margin"/>
    /// covers; without a box, the largest centred square of the image. It may reach outside the image.
    /// </summary>
    public static RectangleF Region(Size imageSize, RectangleF? face, double margin)
    {
        if (face is not { } box)
        {
            var side = Math.Min(imageSize.Width, imageSize.Height);
            return new RectangleF((imageSize.Width - side) / 2f, (imageSize.Height - side) / 2f, side, side);
        }

        var widened = Math.Max(box.Width, box.Height) * (float)(1 + 2 * margin);
        var centreX = box.X + box.Width / 2;
        var centreY = box.Y + box.Height / 2;
        return new RectangleF(centreX - widened / 2, centreY - widened / 2, widened, widened);
    }

    /// <summary>
    /// Crops <paramref name="region"/> (black where it leaves the image), resizes it to
    /// <paramref name="size"/> and returns planar bytes, [channels, size, size], grey or RGB.
    /// </summary>
    public static byte[] Pixels(Image<Rgb24> image, RectangleF region, int size, int channels)
    {
        using var crop = Cut(image, region, size);
        var pixels = new byte[channels * size * size];
        var plane = size * size;
        crop.ProcessPixelRows(rows =>
        {
            for (var y = 0; y < size; y++)
            {
                var row = rows.GetRowSpan(y);
                for (var x = 0; x < size; x++)
                {
                    var p = row[x];
                    var at = y * size + x;
                    if (channels == 1)
                    {
                        pixels[at] = Luminance(p);
                    }
                    else
                    {
                        pixels[at] = p.R;
                        pixels[plane + at] = p.G;
                        pixels[2 * plane + at] = p.B;
                    }
                }
            }
        });

        return pixels;
    }

    private static Image<Rgb24> Cut(Image<Rgb24> image, RectangleF region, int size)
    {
        var scale = size / region.Width;
        var inside = RectangleF.Intersect(region, new RectangleF(0, 0, image.Width, image.Height));
        var source = Rectangle.Round(inside);
        if (source.Width < 1 || source.Height < 1)
        {
            return new Image<Rgb24>(size, size);
        }

        var target = new Rectangle(
            (int)Math.Round((source.X - region.X) * scale),
            (int)Math.Round((source.Y - region.Y) * scale),
            Math.Max(1, (int)Math.Round(source.Width * scale)),
            Math.Max(1, (int)Math.Round(source.Height * scale)));

        if (target is { X: 0, Y: 0 } && target.Width == size && target.Height == size)
        {
            return image.Clone(x => x.Crop(source).Resize(size, size));
        }

        var canvas = new Image<Rgb24>(size, size);
        using var part = image.Clone(x => x.Crop(source).Resize(target.Width, target.Height));
        canvas.Mutate(x => x.DrawImage(part, new Point(target.X, target.Y), 1f));
        return canvas;
    }

    // ITU-R BT.601 luma, the weighting of the grey images expression data sets are made of.
    private static byte Luminance(Rgb24 p) =>
        (byte)Math.Clamp((int)Math.Round(0.299 * p.R + 0.587 * p.G + 0.114 * p.B), 0, 255);
}
