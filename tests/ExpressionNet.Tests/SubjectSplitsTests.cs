using ExpressionNet.Data;

namespace ExpressionNet.Tests;

public sealed class SubjectSplitsTests : IDisposable
{
    private readonly TemporaryFolder _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public void PartitionPutsEveryImageOnceAndEverySubjectInOneFold()
    {
        var images = Images(subjects: 40, seed: 3);

        var folds = SubjectSplits.Partition(images, 5, seed: 1);

        Assert.Equal(images.Select(i => i.Path).Order(), folds.SelectMany(f => f).Select(i => i.Path).Order());
        Assert.All(
            images.GroupBy(i => i.Subject),
            subject => Assert.Single(folds, fold => fold.Any(i => i.Subject == subject.Key)));
    }

    [Fact]
    public void PartitionFoldSizesDifferByAtMostOneSubjectOfOneImage()
    {
        var seeds = Enumerable.Range(1, 100);

        var spreads = seeds.Select(seed =>
        {
            var images = Images(subjects: 23, seed, maxImagesPerSubject: 1, classes: 4);
            var sizes = SubjectSplits.Partition(images, 5, seed).Select(f => f.Count).ToList();
            return (Seed: seed, Spread: sizes.Max() - sizes.Min());
        }).ToList();

        Assert.DoesNotContain(spreads, s => s.Spread > 1);
    }

    [Fact]
    public void PartitionFoldSizesDifferByAtMostTheLargestSubject()
    {
        var seeds = Enumerable.Range(1, 100);

        var excess = seeds.Select(seed =>
        {
            var images = Images(subjects: 23, seed, maxImagesPerSubject: 3, classes: 5);
            var largestSubject = images.GroupBy(i => i.Subject).Max(s => s.Count());
            var sizes = SubjectSplits.Partition(images, 5, seed).Select(f => f.Count).ToList();
            return (Seed: seed, Excess: sizes.Max() - sizes.Min() - largestSubject);
        }).ToList();

        Assert.DoesNotContain(excess, e => e.Excess > 0);
    }

    [Fact]
    public void PartitionIsTheSameForTheSameSeedAndDiffersForAnother()
    {
        var images = Images(subjects: 30, seed: 5);

        var first = Fingerprint(SubjectSplits.Partition(images, 3, seed: 7));
        var again = Fingerprint(SubjectSplits.Partition(images, 3, seed: 7));
        var other = Fingerprint(SubjectSplits.Partition(images, 3, seed: 8));

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void PartitionIntoMoreFoldsThanSubjectsIsRejected()
    {
        var images = Images(subjects: 3, seed: 1);

        var error = Assert.Throws<DatasetException>(() => SubjectSplits.Partition(images, 4, seed: 1));

        Assert.Contains("at least 4 subjects; the images come from 3", error.Message);
    }

    [Fact]
    public void WithValidationMovesWholeSubjectsFromTrainingToValidation()
    {
        var index = Layout(subjects: 20, perSubject: 3);

        var split = SubjectSplits.WithValidation(index, 0.25, seed: 1);

        var validation = split.In(DatasetSplit.Validation).ToList();
        var train = split.In(DatasetSplit.Train).ToList();
        Assert.InRange(validation.Select(i => i.Subject).Distinct().Count(), 4, 6);
        Assert.Empty(validation.Select(i => i.Subject).Intersect(train.Select(i => i.Subject)));
        Assert.Equal(index.Images.Count, validation.Count + train.Count);
    }

    [Fact]
    public void WithValidationLeavesTestImagesWhereTheyAre()
    {
        var index = Layout(subjects: 10, perSubject: 2);
        _root.Write("test/happy/t1.png");
        _root.Write("test/sad/t2.png");
        var withTest = DatasetIndex.Scan(new DatasetSpec { Root = _root.Path, SubjectPattern = @"^(s\d+)_" });

        var split = SubjectSplits.WithValidation(withTest, 0.2, seed: 1);

        var trainOrValidation = split.Images.Where(i => i.Split != DatasetSplit.Test);
        Assert.Equal(index.Images.Select(i => i.Path), trainOrValidation.Select(i => i.Path));
        Assert.Equal(["t1.png", "t2.png"], split.In(DatasetSplit.Test).Select(i => Path.GetFileName(i.Path)));
    }

    [Fact]
    public void WithValidationLeavesAnExistingValidationSplitAlone()
    {
        Layout(subjects: 6, perSubject: 1);
        _root.Write("validation/happy/v1.png");
        _root.Write("validation/sad/v2.png");
        var index = DatasetIndex.Scan(new DatasetSpec { Root = _root.Path, SubjectPattern = @"^(s\d+)_" });

        var split = SubjectSplits.WithValidation(index, 0.5, seed: 1);

        Assert.Same(index, split);
    }

    [Fact]
    public void WithValidationOfNothingLeavesTheIndexAlone()
    {
        var index = Layout(subjects: 6, perSubject: 1);

        var split = SubjectSplits.WithValidation(index, 0, seed: 1);

        Assert.Same(index, split);
    }

    [Fact]
    public void WithValidationFromASingleSubjectIsRejected()
    {
        _root.Write("train/happy/s1_a.png");
        _root.Write("train/sad/s1_b.png");
        var index = DatasetIndex.Scan(new DatasetSpec { Root = _root.Path, SubjectPattern = @"^(s\d+)_" });

        var error = Assert.Throws<DatasetException>(() => SubjectSplits.WithValidation(index, 0.5, seed: 1));

        Assert.Contains("subjects", error.Message);
    }

    // Subjects with 1..maxImagesPerSubject images, mostly of one class, as expression data sets hold them.
    private static List<LabelledImage> Images(int subjects, int seed, int maxImagesPerSubject = 4, int classes = 3)
    {
        var random = new Random(seed);
        var images = new List<LabelledImage>();
        for (var s = 0; s < subjects; s++)
        {
            var usual = random.Next(classes);
            var count = random.Next(1, maxImagesPerSubject + 1);
            for (var i = 0; i < count; i++)
            {
                var label = random.NextDouble() < 0.7 ? usual : random.Next(classes);
                images.Add(new LabelledImage($"/data/s{s:D3}_{i}.png", label, $"s{s:D3}", DatasetSplit.Train));
            }
        }

        return images;
    }

    // Training images root/train/<label>/s<N>_<k>.png, alternating between two labels.
    private DatasetIndex Layout(int subjects, int perSubject)
    {
        for (var s = 0; s < subjects; s++)
        {
            for (var k = 0; k < perSubject; k++)
            {
                _root.Write($"train/{((s + k) % 2 == 0 ? "happy" : "sad")}/s{s}_{k}.png");
            }
        }

        return DatasetIndex.Scan(new DatasetSpec { Root = _root.Path, SubjectPattern = @"^(s\d+)_" });
    }

    private static string Fingerprint(IReadOnlyList<IReadOnlyList<LabelledImage>> folds) =>
        string.Join(" | ", folds.Select(f => string.Join(",", f.Select(i => i.Path).Order(StringComparer.Ordinal))));
}
