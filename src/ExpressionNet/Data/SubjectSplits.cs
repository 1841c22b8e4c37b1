namespace ExpressionNet.Data;

/// <summary>
/// Subject-independent partitions: all images of one subject (person) land on the same side of a
/// split and in the same fold, so a model is always measured on people it has not seen.
/// </summary>
public static class SubjectSplits
{
    /// <summary>
    /// Moves about <paramref name="fraction"/> of the training images, whole subjects at a time, to
    /// the validation split. A data set that already has validation images is returned unchanged.
    /// </summary>
    public static DatasetIndex WithValidation(DatasetIndex index, double fraction, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fraction);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(fraction, 1.0);
        if (fraction == 0 || index.In(DatasetSplit.Validation).Any())
        {
            return index;
        }

        var train = index.In(DatasetSplit.Train).ToList();
        var folds = Partition(train, Math.Max(2, (int)Math.Round(1 / fraction)), seed);
        var held = folds[0].Select(i => i.Path).ToHashSet(StringComparer.Ordinal);
        if (held.Count == train.Count || held.Count == 0)
        {
            throw new DatasetException("The training images come from too few subjects to split off a validation set.");
        }

        return index.With(index.Images.Select(image =>
            held.Contains(image.Path) ? image with { Split = DatasetSplit.Validation } : image));
    }

    /// <summary>
    /// Splits images into <paramref name="count"/> subject-disjoint folds of similar class mix, whose
    /// sizes differ by no more than the images of one subject.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<LabelledImage>> Partition(
        IReadOnlyList<LabelledImage> images, int count, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 2);
        var subjects = images.GroupBy(i => i.Subject, StringComparer.Ordinal).ToList();
        if (subjects.Count < count)
        {
            throw new DatasetException(
                $"{count} subject-independent folds need at least {count} subjects; the images come from {subjects.Count}.");
        }

        // Shuffle, then hand each subject, largest first, to the fold holding the fewest images of that
        // subject's classes. A fold may take a subject only while it stays within one largest subject
        // of the smallest fold, so fold sizes never differ by more than one subject; within that bound,
        // the folds' class mixes are balanced. No subject is ever split.
        var random = new Random(seed);
        var order = subjects.OrderBy(s => s.Key, StringComparer.Ordinal).ToArray();
        random.Shuffle(order);

        var classCount = images.Count == 0 ? 0 : images.Max(i => i.Label) + 1;
        var largest = subjects.Max(s => s.Count());
        var folds = Enumerable.Range(0, count).Select(_ => new List<LabelledImage>()).ToArray();
        var perClass = new int[count, classCount];
        foreach (var subject in order.OrderByDescending(s => s.Count()))
        {
            var size = subject.Count();
            var smallest = folds.Min(f => f.Count);
            var target = Enumerable.Range(0, count)
                .Where(f => folds[f].Count + size <= smallest + largest)
                .OrderBy(f => subject.Sum(i => perClass[f, i.Label]))
                .ThenBy(f => folds[f].Count)
                .First();

            folds[target].AddRange(subject);
            foreach (var image in subject)
            {
                perClass[target, image.Label]++;
            }
        }

        return folds;
    }
}
