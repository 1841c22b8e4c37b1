using ExpressionNet.Data;
using static TorchSharp.torch;

namespace ExpressionNet.Tests;

public sealed class ImageSetTests : IDisposable
{
    private const string Happy1 = "fer2013/test/happy/PrivateTest_10077120.png";
    private const string Happy2 = "fer2013/test/happy/PrivateTest_10470092.png";
    private const string Sad1 = "fer2013/test/sad/PrivateTest_10247676.png";
    private const string Sad2 = "fer2013/test/sad/PrivateTest_10455506.png";

    private readonly TemporaryFolder _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public void UnreadableFilesAreSkippedWithTheirPathsAndTheRestLoad()
    {
        _root.CopyShared(Happy1, "happy/1.png");
        _root.CopyShared(Sad1, "sad/2.png");
        var garbage = _root.Write("happy/garbage.jpg", RandomBytes(3000));
        var png = File.ReadAllBytes(Path.Combine(SharedData.Root, Sad2));
        var cutInHeader = _root.Write("sad/cut-in-header.png", png[..30]);
        var cutInData = _root.Write("sad/cut-in-data.png", png[..(png.Length / 2)]);
        var empty = _root.Write("sad/empty.png");

        using var set = ImageSet.Load(Scan().Images, [new ImageView(48, 1)]);

        Assert.Equal(
            new[] { cutInData, cutInHeader, empty, garbage }.Order(StringComparer.Ordinal),
            set.Skipped.Select(s => s.Path).Order(StringComparer.Ordinal));
        Assert.All(set.Skipped, s => Assert.False(string.IsNullOrWhiteSpace(s.Reason)));
        Assert.Equal([_root["happy/1.png"], _root["sad/2.png"]], set.Images.Select(i => i.Path));
    }

    [Fact]
    public void EveryViewHoldsOneCropPerImageAtItsSizeAndChannels()
    {
        CopyFourImages();

        using var set = ImageSet.Load(Scan().Images, [new ImageView(48, 1), new ImageView(32, 3)]);

        Assert.Equal(4, set.Count);
        Assert.Equal([4L, 1, 48, 48], set.Views[0].shape);
        Assert.Equal([4L, 3, 32, 32], set.Views[1].shape);
        Assert.All(set.Views, v => Assert.Equal(ScalarType.Byte, v.dtype));
        Assert.Equal(4, set.ContentHashes.Count);
    }

    [Fact]
    public void LabelsFollowTheImagesInOrder()
    {
        CopyFourImages();
        var index = Scan();

        using var set = ImageSet.Load(index.Images, [new ImageView(48, 1)]);

        Assert.Equal(ScalarType.Int64, set.Labels.dtype);
        Assert.Equal([0L, 0, 1, 1], set.Labels.data<long>().ToArray());
        Assert.Equal(index.Images, set.Images);
    }

    [Fact]
    public void ImagesWithoutAFaceAreSkippedAsSuch()
    {
        CopyFourImages();

        using var set = ImageSet.Load(Scan().Images, [new ImageView(48, 1)], locateFace: _ => null);

        Assert.Equal(0, set.Count);
        Assert.Equal([0L, 1, 48, 48], set.Views[0].shape);
        Assert.All(set.Skipped, s => Assert.Equal("no face found", s.Reason));
    }

    [Fact]
    public void SubsetHoldsTheChosenImagesWithTheirPixelsAndLabels()
    {
        CopyFourImages();
        using var set = ImageSet.Load(Scan().Images, [new ImageView(48, 1)]);

        using var subset = set.Subset([3, 0]);

        using var picked = subset.Views[0][0];
        using var original = set.Views[0][3];
        Assert.Equal([set.Images[3], set.Images[0]], subset.Images);
        Assert.Equal([1L, 0], subset.Labels.data<long>().ToArray());
        Assert.Equal(original.data<byte>().ToArray(), picked.data<byte>().ToArray());
        Assert.Equal([set.ContentHashes[3], set.ContentHashes[0]], subset.ContentHashes);
    }

    [Fact]
    public void FingerprintIsTheSameWhereverTheDataSetLives()
    {
        CopyFourImages();
        using var moved = new TemporaryFolder();
        CopyFourImages(moved);

        var here = FingerprintOf(_root.Path);
        var there = FingerprintOf(moved.Path);

        Assert.Equal(here, there);
    }

    [Fact]
    public void FingerprintChangesWhenAFilesContentChanges()
    {
        CopyFourImages();
        var before = FingerprintOf(_root.Path);

        _root.CopyShared(Sad2, "happy/1.png");
        var after = FingerprintOf(_root.Path);

        Assert.NotEqual(before, after);
    }

    [Fact]
    public void FingerprintChangesWhenALabelChanges()
    {
        CopyFourImages();
        _root.WriteText("before.csv", "happy/1.png,happy\nhappy/2.png,happy\nsad/1.png,sad\nsad/2.png,sad\n");
        _root.WriteText("after.csv", "happy/1.png,happy\nhappy/2.png,sad\nsad/1.png,sad\nsad/2.png,sad\n");

        var before = FingerprintOf(_root.Path, "before.csv");
        var after = FingerprintOf(_root.Path, "after.csv");

        Assert.NotEqual(before, after);
    }

    private void CopyFourImages() => CopyFourImages(_root);

    private static void CopyFourImages(TemporaryFolder folder)
    {
        folder.CopyShared(Happy1, "happy/1.png");
        folder.CopyShared(Happy2, "happy/2.png");
        folder.CopyShared(Sad1, "sad/1.png");
        folder.CopyShared(Sad2, "sad/2.png");
    }

    private DatasetIndex Scan() => DatasetIndex.Scan(new DatasetSpec { Root = _root.Path });

    private static string FingerprintOf(string root, string? manifest = null)
    {
        var index = DatasetIndex.Scan(new DatasetSpec { Root = root, Manifest = manifest });
        using var set = ImageSet.Load(index.Images, [new ImageView(16, 1)]);
        return ImageSet.Fingerprint(root, [set], index.Labels);
    }

    private static byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        new Random(7).NextBytes(bytes);
        return bytes;
    }
}
