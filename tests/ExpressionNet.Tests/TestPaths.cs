namespace ExpressionNet.Tests;

/// <summary>Where the tests find the shared data set and their own test vectors.</summary>
internal static class TestPaths
{
    /// <summary>
    /// <c>EXPRESSION_DATA_ROOT</c> if set, else <c>../shared/data</c> beside the folder holding
    /// ExpressionService.sln.
    /// </summary>
    public static string DataRoot { get; } = FindDataRoot();

    /// <summary>A file of the test project's TestData folder, which the build copies to the output.</summary>
    public static string TestData(string fileName) =>
        Path.Combine(AppContext.BaseDirectory, "TestData", fileName);

    private static string FindDataRoot()
    {
        var configured = Environment.GetEnvironmentVariable("EXPRESSION_DATA_ROOT");
        if (!string.IsNullOrEmpty(configured))
        {
            return configured;
        }

        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "ExpressionService.sln")))
        {
            folder = folder.Parent;
        }

        return folder is not null
            ? Path.GetFullPath(Path.Combine(folder.FullName, "..", "shared", "data"))
            : throw new DirectoryNotFoundException(
                $"No ExpressionService.sln above {AppContext.BaseDirectory}; "
                + "set EXPRESSION_DATA_ROOT to the data folder.");
    }
}
