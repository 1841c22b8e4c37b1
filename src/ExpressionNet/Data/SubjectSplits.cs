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
    /// Splits images into <paramref name="count"/> subject-disjoint folds of similar size and class mix.
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

        // Shuffle, then hand each subject to the fold with the fewest images of that subject's most
        // common class: folds end up balanced in size and in classes without any subject splitting.
        var random = new Random(seed);
        var order = subjects.OrderBy(s => s.Key, StringComparer.Ordinal).ToArray();
        random.Shuffle(order);

        var classCount = images.Count == 0 ? 0 : images.Max(i => i.Label) + 1;
        var folds = Enumerable.Range(0, count).Select(_ => new List<LabelledImage>()).ToArray();
        var perClass = new int[count, classCount];
        foreach (var subject in order.OrderByDescending(s => s.Count()))
        {
            var label = subject.GroupBy(i => i.Label).MaxBy(g => g.Count())!.Key;
            var target = Enumerable.Range(0, count)
                .OrderBy(f => perClass[f, label])
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
