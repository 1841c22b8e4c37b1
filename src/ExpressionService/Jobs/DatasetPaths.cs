namespace ExpressionService.Jobs;

/// <summary>
/// Resolves a job's data set path inside the data root, refusing anything that would read outside
/// it: absolute paths, '..' segments, and symbolic links whose targets lie outside.
/// </summary>
public static class DatasetPaths
{
    /// <summary>The full path of <paramref name="relative"/> under <paramref name="root"/>, or an error message.</summary>
    public static (string? Path, string? Error) Resolve(string root, string relative)
    {
        var fullRoot = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        if (Path.IsPathRooted(relative))
        {
            return (null, $"'{relative}' is absolute; give a path relative to the data root.");
        }

        if (HasParentSegment(relative))
        {
            return (null, $"'{relative}' climbs out with '..'; give a path inside the data root.");
        }

        // Follow every segment that is a link to its final target and require each to stay inside.
        var current = fullRoot;
        foreach (var segment in relative.Split(['/', '\\'], StringSplitOptions.RemoveEmptyEntries))
        {
            if (segment == ".")
            {
                continue;
            }

            current = Path.Combine(current, segment);
            var info = new DirectoryInfo(current);
            if (info.LinkTarget is not null)
            {
                var target = info.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? current;
                if (!IsInside(fullRoot, target))
                {
                    return (null, $"'{relative}' is a link that leads outside the data root.");
                }

                current = target;
            }
        }

        if (!Directory.Exists(current))
        {
            return (null, $"The data set '{relative}' does not exist under the data root.");
        }

        return (current, null);
    }

    /// <summary>Whether a location inside a data set (a split folder or a manifest) stays inside it.</summary>
    public static bool IsContained(string location) => !Path.IsPathRooted(location) && !HasParentSegment(location);

    private static bool HasParentSegment(string path) =>
        path.Split(['/', '\\'], StringSplitOptions.RemoveEmptyEntries).Any(segment => segment == "..");

    private static bool IsInside(string root, string path)
    {
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        return full == root || full.StartsWith(root + Path.DirectorySeparatorChar, StringComparison.Ordinal);
    }
}
