using ExpressionNet.Data;

namespace ExpressionNet.Tests;

public sealed class DatasetIndexTests : IDisposable
{
    private readonly TemporaryFolder _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public void FilePatternsSplitOneTestFolderIntoValidationAndTestImages()
    {
        Touch("train/happy/t1.png", "train/sad/t2.png");
        Touch("test/happy/PublicTest_1.png", "test/sad/PublicTest_2.png");
        Touch("test/happy/PrivateTest_3.png", "test/sad/PrivateTest_4.png");

        var index = DatasetIndex.Scan(new DatasetSpec
        {
            Root = _root.Path, Validation = "test/PublicTest_*", Test = "test/PrivateTest_*",
        });

        Assert.Equal(["happy", "sad"], index.Labels);
        Assert.Equal(["t1.png", "t2.png"], FileNames(index, DatasetSplit.Train));
        Assert.Equal(["PublicTest_1.png", "PublicTest_2.png"], FileNames(index, DatasetSplit.Validation));
        Assert.Equal(["PrivateTest_3.png", "PrivateTest_4.png"], FileNames(index, DatasetSplit.Test));
    }

    [Fact]
    public void TrainAndTestFoldersAreFoundWithoutBeingNamed()
    {
        Touch("train/happy/a.png", "train/sad/b.png", "test/happy/c.png", "test/sad/d.png");

        var index = DatasetIndex.Scan(new DatasetSpec { Root = _root.Path });

        Assert.Equal(["a.png", "b.png"], FileNames(index, DatasetSplit.Train));
        Assert.Empty(index.In(DatasetSplit.Validation));
        Assert.Equal(["c.png", "d.png"], FileNames(index, DatasetSplit.Test));
    }

    [Fact]
    public void LabelFoldersDirectlyUnderTheRootAreAllTrainingImagesWithSortedLabels()
    {
        Touch("surprise/1.jpg", "angry/2.PNG", "angry/3.jpeg", "angry/notes.txt");

        var index = DatasetIndex.Scan(new DatasetSpec { Root = _root.Path });

        Assert.Equal(["angry", "surprise"], index.Labels);
        Assert.All(index.Images, image => Assert.Equal(DatasetSplit.Train, image.Split));
        Assert.Equal(
            [("2.PNG", 0), ("3.jpeg", 0), ("1.jpg", 1)],
            index.Images.Select(i => (Path.GetFileName(i.Path), i.Label)));
    }

    [Fact]
    public void ManifestWithHeaderAndSubjectColumnListsPathsRelativeToItsFolder()
    {
        _root.WriteText("lists/all.csv", "path,label,subject\n../faces/a.png,happy,anna\n\n../faces/b.png, sad ,ben\n");

        var index = DatasetIndex.Scan(new DatasetSpec { Root = _root.Path, Manifest = "lists/all.csv" });

        Assert.Equal(["happy", "sad"], index.Labels);
        Assert.Equal(
            [(_root["faces/a.png"], 0, "anna"), (_root["faces/b.png"], 1, "ben")],
            index.Images.Select(i => (i.Path, i.Label, i.Subject)));
    }

    [Fact]
    public void ManifestWithoutSubjectColumnTakesSubjectsFromTheSubjectPattern()
    {
        _root.WriteText("manifest.csv", "007_a.png,happy\n007_b.png,sad\n012_a.png,sad\n");

        var index = DatasetIndex.Scan(new DatasetSpec
        {
            Root = _root.Path, Manifest = "manifest.csv", SubjectPattern = @"^(\d+)_",
        });

        Assert.Equal(["007", "007", "012"], index.Images.Select(i => i.Subject));
    }

    [Fact]
    public void SubjectPatternGroupsThePhotosOfOnePersonAcrossLabels()
    {
        Touch("neutral/001.jpg", "neutral/002.jpg", "happy/001.jpg", "happy/002.jpg");

        var index = DatasetIndex.Scan(new DatasetSpec { Root = _root.Path, SubjectPattern = @"^(\d+)" });

        Assert.Equal(
            ["001", "001", "002", "002"],
            index.Images.Select(i => i.Subject).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void SubjectPatternPrefersTheGroupNamedSubject()
    {
        Touch("happy/S005_001.png", "sad/S005_002.png");

        var index = DatasetIndex.Scan(new DatasetSpec
        {
            Root = _root.Path, SubjectPattern = @"^(S)(?<subject>\d+)_",
        });

        Assert.All(index.Images, image => Assert.Equal("005", image.Subject));
    }

    [Fact]
    public void WithoutSubjectPatternEveryImageIsItsOwnSubject()
    {
        Touch("neutral/001.jpg", "happy/001.jpg");

        var index = DatasetIndex.Scan(new DatasetSpec { Root = _root.Path });

        Assert.Equal(2, index.Images.Select(i => i.Subject).Distinct().Count());
    }

    [Fact]
    public void ExplicitLabelsSetTheLabelOrderAndLeaveOtherClassesOut()
    {
        Touch("angry/1.png", "happy/2.png", "sad/3.png");

        var index = DatasetIndex.Scan(new DatasetSpec { Root = _root.Path, Labels = ["sad", "happy"] });

        Assert.Equal(["sad", "happy"], index.Labels);
        Assert.Equal([("2.png", 1), ("3.png", 0)], index.Images.Select(i => (Path.GetFileName(i.Path), i.Label)));
    }

    [Fact]
    public void MissingRootIsRejectedNamingTheFolder()
    {
        var missing = _root["nowhere"];

        var error = Assert.Throws<DatasetException>(() => DatasetIndex.Scan(new DatasetSpec { Root = missing }));

        Assert.Contains($"'{missing}' does not exist", error.Message);
    }

    [Fact]
    public void MissingSplitFolderIsRejectedNamingTheSplitAndTheFolder()
    {
        Touch("train/happy/a.png", "train/sad/b.png");

        var error = Assert.Throws<DatasetException>(
            () => DatasetIndex.Scan(new DatasetSpec { Root = _root.Path, Validation = "val/PublicTest_*" }));

        Assert.Contains("validation folder 'val/PublicTest_*' does not exist", error.Message);
    }

    [Fact]
    public void ClassWithOnlyTestImagesIsRejectedNamingTheClass()
    {
        Touch("train/happy/a.png", "train/sad/b.png", "test/fear/c.png");

        var error = Assert.Throws<DatasetException>(() => DatasetIndex.Scan(new DatasetSpec { Root = _root.Path }));

        Assert.Contains("no training images for class 'fear'", error.Message);
    }

    [Fact]
    public void EmptyClassFolderIsRejectedNamingTheClass()
    {
        Touch("happy/a.png", "sad/b.png");
        _root.Folder("fear");

        var error = Assert.Throws<DatasetException>(() => DatasetIndex.Scan(new DatasetSpec { Root = _root.Path }));

        Assert.Contains("no training images for class 'fear'", error.Message);
    }

    [Fact]
    public void TestFolderBesideLabelFoldersIsNotTakenForAClass()
    {
        Touch("happy/a.png", "sad/b.png", "test/happy/c.png", "test/sad/d.png");

        var index = DatasetIndex.Scan(new DatasetSpec { Root = _root.Path });

        Assert.Equal(["happy", "sad"], index.Labels);
        Assert.Equal(["c.png", "d.png"], FileNames(index, DatasetSplit.Test));
    }

    [Fact]
    public void ExplicitLabelWithoutImagesIsRejectedNamingTheClass()
    {
        Touch("happy/a.png", "sad/b.png");

        var error = Assert.Throws<DatasetException>(
            () => DatasetIndex.Scan(new DatasetSpec { Root = _root.Path, Labels = ["happy", "sad", "surprise"] }));

        Assert.Contains("no training images for class 'surprise'", error.Message);
    }

    [Fact]
    public void RootWithoutLabelFoldersIsRejected()
    {
        Touch("a.png", "b.png");

        var error = Assert.Throws<DatasetException>(() => DatasetIndex.Scan(new DatasetSpec { Root = _root.Path }));

        Assert.Contains("holds no images in label folders", error.Message);
    }

    [Fact]
    public void DataSetOfOneClassIsRejected()
    {
        Touch("happy/a.png", "happy/b.png");

        var error = Assert.Throws<DatasetException>(() => DatasetIndex.Scan(new DatasetSpec { Root = _root.Path }));

        Assert.Contains("needs at least two classes; it has 1", error.Message);
    }

    [Fact]
    public void ManifestLineWithoutLabelIsRejectedWithItsLineNumber()
    {
        _root.WriteText("manifest.csv", "path,label\na.png,happy\nb.png\nc.png,sad\n");

        var error = Assert.Throws<DatasetException>(
            () => DatasetIndex.Scan(new DatasetSpec { Root = _root.Path, Manifest = "manifest.csv" }));

        Assert.Contains("Line 3 of the manifest 'manifest.csv'", error.Message);
    }

    [Fact]
    public void ManifestLineWithEmptyPathIsRejectedWithItsLineNumber()
    {
        _root.WriteText("manifest.csv", "a.png,happy\n,sad\n");

        var error = Assert.Throws<DatasetException>(
            () => DatasetIndex.Scan(new DatasetSpec { Root = _root.Path, Manifest = "manifest.csv" }));

        Assert.Contains("Line 2 of the manifest", error.Message);
    }

    [Fact]
    public void MissingManifestIsRejectedNamingIt()
    {
        var error = Assert.Throws<DatasetException>(
            () => DatasetIndex.Scan(new DatasetSpec { Root = _root.Path, Manifest = "labels.csv" }));

        Assert.Contains("manifest 'labels.csv' does not exist", error.Message);
    }

    private void Touch(params string[] files)
    {
        foreach (var file in files)
        {
            _root.Write(file);
        }
    }

    private static IEnumerable<string> FileNames(DatasetIndex index, DatasetSplit split) =>
        index.In(split).Select(i => Path.GetFileName(i.Path));
}
