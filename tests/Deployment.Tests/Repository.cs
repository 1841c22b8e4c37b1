namespace Deployment.Tests;

/// <summary>The files of the repository these tests were built from.</summary>
internal static class Repository
{
    /// <summary>The folder that holds ExpressionService.sln.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The full path of a file or folder given relative to the repository root.</summary>
    public static string PathOf(string relative) => Path.Combine(Root, relative);

    public static string ReadText(string relative) => File.ReadAllText(PathOf(relative));

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "ExpressionService.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException($"No ExpressionService.sln above {AppContext.BaseDirectory}.");
    }
}
