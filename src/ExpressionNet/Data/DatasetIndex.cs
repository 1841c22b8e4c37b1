using System.Globalization;
using System.Text.RegularExpressions;
using CsvHelper;
using CsvHelper.Configuration;

namespace ExpressionNet.Data;

/// <summary>
/// The images of a data set, each with its label, subject and split, found on disk as a
/// <see cref="DatasetSpec"/> describes. Nothing is decoded here.
/// </summary>
public sealed class DatasetIndex
{
    private static readonly HashSet<string> ImageExtensions =
        new([".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp"], StringComparer.OrdinalIgnoreCase);

    private DatasetIndex(IReadOnlyList<string> labels, IReadOnlyList<LabelledImage> images)
    {
        Labels = labels;
        Images = images;
    }

    /// <summary>Class names, in the order of the label indices.</summary>
    public IReadOnlyList<string> Labels { get; }

    /// <summary>Every image, training, validation and test.</summary>
    public IReadOnlyList<LabelledImage> Images { get; }

    /// <summary>The images of one split.</summary>
    public IEnumerable<LabelledImage> In(DatasetSplit split) => Images.Where(i => i.Split == split);

    /// <summary>A copy with different images and the same labels.</summary>
    public DatasetIndex With(IEnumerable<LabelledImage> images) => new(Labels, images.ToList());

    /// <summary>Finds the images of a data set.</summary>
    /// <exception cref="DatasetException">A folder or manifest is missing, or a class has no images.</exception>
    public static DatasetIndex Scan(DatasetSpec spec)
    {
        var root = Path.GetFullPath(spec.Root);
        if (!Directory.Exists(root))
        {
            throw new DatasetException($"The data set folder '{spec.Root}' does not exist.");
        }

        var subjects = new SubjectNamer(spec.SubjectPattern);
        var emptyLabelFolders = new List<string>();
        var found = spec.Manifest is null
            ? ScanFolders(root, spec, subjects, emptyLabelFolders)
            : ReadManifest(root, spec, subjects);

        // An empty label folder is a class without images, reported below rather than dropped in silence.
        var labels = spec.Labels?.ToList()
            ?? found.Select(f => f.Label).Concat(emptyLabelFolders)
                .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (labels.Count < 2)
        {
            throw new DatasetException(
                $"The data set '{spec.Root}' needs at least two classes; it has {labels.Count}.");
        }

        var indexOf = labels.Select((label, i) => (label, i)).ToDictionary(p => p.label, p => p.i, StringComparer.Ordinal);
        var images = found
            .Where(f => indexOf.ContainsKey(f.Label))
            .Select(f => new LabelledImage(f.Path, indexOf[f.Label], f.Subject, f.Split))
            .ToList();

        var emptyClasses = labels.Where((_, i) => !images.Any(image => image.Label == i && image.Split == DatasetSplit.Train)).ToList();
        if (emptyClasses.Count > 0)
        {
            throw new DatasetException(
                $"The data set '{spec.Root}' has no training images for class {string.Join(", ", emptyClasses.Select(c => $"'{c}'"))}.");
        }

        return new DatasetIndex(labels, images);
    }

    private static List<(string Path, string Label, string Subject, DatasetSplit Split)> ScanFolders(
        string root, DatasetSpec spec, SubjectNamer subjects, List<string> emptyLabelFolders)
    {
        var train = spec.Train ?? (Directory.Exists(Path.Combine(root, "train")) ? "train" : ".");
        var validation = spec.Validation ?? FirstExisting(root, "validation", "val");
        var test = spec.Test ?? FirstExisting(root, "test");

        // With the training images at the root, the validation and test folders sit beside the label folders.
        var splitFolders = new[] { validation, test }
            .OfType<string>()
            .Select(location => Path.TrimEndingDirectorySeparator(SplitLocation(root, location).Folder))
            .ToHashSet(StringComparer.Ordinal);

        var found = new List<(string, string, string, DatasetSplit)>();
        foreach (var (split, location) in new[]
                 {
                     (DatasetSplit.Train, train), (DatasetSplit.Validation, validation), (DatasetSplit.Test, test),
                 })
        {
            if (location is null)
            {
                continue;
            }

            var (folder, pattern) = SplitLocation(root, location);
            if (!Directory.Exists(folder))
            {
                throw new DatasetException($"The {split.ToString().ToLowerInvariant()} folder '{location}' does not exist under '{spec.Root}'.");
            }

            foreach (var labelFolder in Directory.EnumerateDirectories(folder))
            {
                var label = Path.GetFileName(labelFolder);
                var images = 0;
                foreach (var file in Directory.EnumerateFiles(labelFolder, pattern ?? "*"))
                {
                    if (ImageExtensions.Contains(Path.GetExtension(file)))
                    {
                        found.Add((file, label, subjects.Name(file), split));
                        images++;
                    }
                }

                if (split == DatasetSplit.Train && images == 0 && !label.StartsWith('.')
                    && !splitFolders.Contains(Path.TrimEndingDirectorySeparator(labelFolder)))
                {
                    emptyLabelFolders.Add(label);
                }
            }
        }

        // An image that two split locations both cover (validation images picked by a pattern inside
        // the default test folder, say) belongs to the first of train, validation, test only.
        found = found.GroupBy(f => f.Item1, StringComparer.Ordinal).Select(g => g.MinBy(f => f.Item4)).ToList();

        // Enumeration order differs between file systems; sorting keeps splits and folds reproducible.
        found.Sort((a, b) => string.CompareOrdinal(a.Item1, b.Item1));
        if (!found.Any(f => f.Item4 == DatasetSplit.Train))
        {
            throw new DatasetException($"The data set folder '{spec.Root}' holds no images in label folders.");
        }

        return found;
    }

    private static List<(string Path, string Label, string Subject, DatasetSplit Split)> ReadManifest(
        string root, DatasetSpec spec, SubjectNamer subjects)
    {
        var manifest = Path.Combine(root, spec.Manifest!);
        if (!File.Exists(manifest))
        {
            throw new DatasetException($"The manifest '{spec.Manifest}' does not exist under '{spec.Root}'.");
        }

        var folder = Path.GetDirectoryName(manifest)!;
        var found = new List<(string, string, string, DatasetSplit)>();
        var configuration = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            HasHeaderRecord = false,
            TrimOptions = TrimOptions.Trim,
            IgnoreBlankLines = true,
        };

        using var reader = new StreamReader(manifest);
        using var csv = new CsvReader(reader, configuration);
        while (csv.Read())
        {
            var line = csv.Parser.Row;
            var fields = csv.Parser.Record ?? [];
            if (line == 1 && fields.Length >= 2 && fields[1].Equals("label", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (fields.Length < 2 || fields[0].Length == 0 || fields[1].Length == 0)
            {
                throw new DatasetException($"Line {line} of the manifest '{spec.Manifest}' is not 'path,label[,subject]'.");
            }

            var path = Path.GetFullPath(Path.Combine(folder, fields[0]));
            var subject = fields.Length >= 3 && fields[2].Length > 0 ? fields[2] : subjects.Name(path);
            found.Add((path, fields[1], subject, DatasetSplit.Train));
        }

        if (found.Count == 0)
        {
            throw new DatasetException($"The manifest '{spec.Manifest}' lists no images.");
        }

        return found;
    }

    private static string? FirstExisting(string root, params string[] names) =>
        names.FirstOrDefault(name => Directory.Exists(Path.Combine(root, name)));

    // "test/PublicTest_*" is the folder "test" and the file pattern "PublicTest_*".
    private static (string Folder, string? Pattern) SplitLocation(string root, string location)
    {
        var name = Path.GetFileName(location.TrimEnd('/'));
        return name.IndexOfAny(['*', '?']) >= 0
            ? (Path.GetFullPath(Path.Combine(root, Path.GetDirectoryName(location) ?? ".")), name)
            : (Path.GetFullPath(Path.Combine(root, location)), null);
    }

    private sealed class SubjectNamer(string? pattern)
    {
        private readonly Regex? _regex = pattern is null ? null : new Regex(pattern, RegexOptions.CultureInvariant);

        // Without a pattern every image is its own subject.
        public string Name(string path)
        {
            var file = Path.GetFileName(path);
            var match = _regex?.Match(file);
            if (match is null || !match.Success)
            {
                return path;
            }

            var group = match.Groups["subject"].Success ? match.Groups["subject"]
                : match.Groups.Count > 1 ? match.Groups[1]
                : match.Groups[0];
            return group.Value;
        }
    }
}
