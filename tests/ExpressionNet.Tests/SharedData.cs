using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace ExpressionNet.Tests;

/// <summary>
/// Where the tests find their files: the real photos in ../shared/data beside the repository (or
/// $EXPRESSION_DATA_ROOT), which are never copied into the repository, and the test project's own
/// TestData folder. Also composes test images from the photos.
/// </summary>
public static class SharedData
{
    /// <summary>
    /// <c>EXPRESSION_DATA_ROOT</c> if set, else <c>../shared/data</c> beside the folder holding
    /// ExpressionService.sln.
    /// </summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The folder holding ExpressionService.sln, above the test binaries.</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>A file of the test project's TestData folder, which the build copies to the output.</summary>
    public static string TestData(string fileName) =>
        Path.Combine(AppContext.BaseDirectory, "TestData", fileName);

    public static Image<Rgb24> LoadPhoto(string relativePath) =>
        Image.Load<Rgb24>(Path.Combine(Root, relativePath));

    /// <summary>A canvas filled with one colour, with photos pasted at their offsets, unscaled.</summary>
    public static Image<Rgb24> Compose(
        int width, int height, Rgb24 fill, params (string File, int X, int Y)[] photos)
    {
        var canvas = new Image<Rgb24>(width, height, fill);
        foreach (var (file, x, y) in photos)
        {
            using var photo = LoadPhoto(file);
            canvas.Mutate(c => c.DrawImage(photo, new Point(x, y), opacity: 1f));
        }

        return canvas;
    }

    private static string FindRoot()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("EXPRESSION_DATA_ROOT");
        return string.IsNullOrEmpty(fromEnvironment)
            ? Path.GetFullPath(Path.Combine(FindRepositoryRoot(), "..", "shared", "data"))
            : fromEnvironment;
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ExpressionService.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException(
            $"No ExpressionService.sln above {AppContext.BaseDirectory}, so the repository and the shared data "
            + "cannot be located; set EXPRESSION_DATA_ROOT to the data folder.");
    }
}
