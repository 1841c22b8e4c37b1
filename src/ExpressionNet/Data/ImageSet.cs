using System.Collections.Concurrent;
using System.Security.Cryptography;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using static TorchSharp.torch;

namespace ExpressionNet.Data;

/// <summary>Finds the face in a photo, or returns null when there is none.</summary>
public delegate RectangleF? FaceLocator(Image<Rgb24> image);

/// <summary>A size and channel count at which a data set's face crops are kept.</summary>
public sealed record ImageView(int Size, int Channels);

/// <summary>An image that could not be used, and why.</summary>
public sealed record SkippedImage(string Path, string Reason);

/// <summary>
/// Decoded face crops of a list of images, held in memory as byte tensors, one per requested
/// <see cref="ImageView"/> ([N, C, S, S], 0..255), with their labels.
/// </summary>
public sealed class ImageSet : IDisposable
{
    private ImageSet(
        IReadOnlyList<LabelledImage> images, Tensor labels, IReadOnlyList<Tensor> views,
        IReadOnlyList<SkippedImage> skipped, IReadOnlyList<string> contentHashes)
    {
        Images = images;
        Labels = labels;
        Views = views;
        Skipped = skipped;
        ContentHashes = contentHashes;
    }

    /// <summary>The images that were decoded, in the order of the tensors' first dimension.</summary>
    public IReadOnlyList<LabelledImage> Images { get; }

    /// <summary>Label indices, int64 [N].</summary>
    public Tensor Labels { get; }

    /// <summary>One uint8 tensor per requested view, [N, C, S, S].</summary>
    public IReadOnlyList<Tensor> Views { get; }

    /// <summary>Images that could not be decoded or held no face; they are left out.</summary>
    public IReadOnlyList<SkippedImage> Skipped { get; }

    /// <summary>SHA-256 of each decoded file, hex, parallel to <see cref="Images"/>.</summary>
    public IReadOnlyList<string> ContentHashes { get; }

    /// <summary>Number of images held.</summary>
    public int Count => Images.Count;

    /// <summary>
    /// Decodes the images in parallel and crops each face (the whole image when
    /// <paramref name="locateFace"/> is null) at every view. Unreadable images, and images in which
    /// the locator finds no face, are skipped and listed in <see cref="Skipped"/>.
    /// </summary>
    public static ImageSet Load(
        IReadOnlyList<LabelledImage> images,
        IReadOnlyList<ImageView> views,
        FaceLocator? locateFace = null,
        double faceMargin = 0.15,
        IProgress<int>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var crops = new byte[images.Count][][];
        var hashes = new string[images.Count];
        var skipped = new ConcurrentBag<(int Index, SkippedImage Image)>();
        var done = 0;

        var options = new ParallelOptions
        {
            CancellationToken = cancellationToken,
            MaxDegreeOfParallelism = Environment.ProcessorCount,
        };
        Parallel.For(0, images.Count, options, i =>
        {
            var path = images[i].Path;
            try
            {
                var bytes = File.ReadAllBytes(path);
                hashes[i] = Convert.ToHexStringLower(SHA256.HashData(bytes));
                using var image = Image.Load<Rgb24>(bytes);
                image.Mutate(x => x.AutoOrient());

                RectangleF? face = null;
                if (locateFace is not null)
                {
                    face = locateFace(image);
                    if (face is null)
                    {
                        skipped.Add((i, new SkippedImage(path, "no face found")));
                        return;
                    }
                }

                var region = FaceCrop.Region(image.Size(), face, faceMargin);
                crops[i] = views.Select(v => FaceCrop.Pixels(image, region, v.Size, v.Channels)).ToArray();
            }
            catch (Exception e) when (e is ImageFormatException or IOException or UnauthorizedAccessException)
            {
                skipped.Add((i, new SkippedImage(path, e.Message)));
            }
            finally
            {
                var count = Interlocked.Increment(ref done);
                if (count % 256 == 0 || count == images.Count)
                {
                    progress?.Report(count);
                }
            }
        });

        var kept = Enumerable.Range(0, images.Count).Where(i => crops[i] is not null).ToArray();
        var viewTensors = views.Select((view, v) =>
        {
            var planeBytes = view.Channels * view.Size * view.Size;
            var all = new byte[(long)kept.Length * planeBytes];
            for (var k = 0; k < kept.Length; k++)
            {
                crops[kept[k]][v].CopyTo(all, (long)k * planeBytes);
            }

            return tensor(all, [kept.Length, view.Channels, view.Size, view.Size]);
        }).ToList();

        return new ImageSet(
            kept.Select(i => images[i]).ToList(),
            tensor(kept.Select(i => (long)images[i].Label).ToArray()),
            viewTensors,
            skipped.OrderBy(s => s.Index).Select(s => s.Image).ToList(),
            kept.Select(i => hashes[i]).ToList());
    }

    /// <summary>The images at the given positions, as a new set (its tensors are copies).</summary>
    public ImageSet Subset(IReadOnlyList<int> positions)
    {
        using var index = tensor(positions.Select(p => (long)p).ToArray());
        return new ImageSet(
            positions.Select(p => Images[p]).ToList(),
            Labels.index_select(0, index),
            Views.Select(v => v.index_select(0, index)).ToList(),
            [],
            positions.Select(p => ContentHashes[p]).ToList());
    }

    /// <summary>
    /// A fingerprint of the images' content and labels, independent of where the data set lives.
    /// </summary>
    public static string Fingerprint(string root, IEnumerable<ImageSet> sets, IReadOnlyList<string> labels)
    {
        var lines = sets
            .SelectMany(set => set.Images.Select((image, i) =>
                $"{Path.GetRelativePath(root, image.Path).Replace('\\', '/')}\t{labels[image.Label]}\t{set.ContentHashes[i]}"))
            .Order(StringComparer.Ordinal);
        return Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(string.Join('\n', lines))));
    }

    public void Dispose()
    {
        Labels.Dispose();
        foreach (var view in Views)
        {
            view.Dispose();
        }
    }
}
