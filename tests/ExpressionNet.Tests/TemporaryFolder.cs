namespace ExpressionNet.Tests;

/// <summary>A fresh, empty folder for one test, deleted with everything in it when disposed.</summary>
public sealed class TemporaryFolder : IDisposable
{
    public TemporaryFolder()
    {
        Path = System.IO.Path.Combine(
            System.IO.Path.GetTempPath(), "expressionnet-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    /// <summary>The folder's full path.</summary>
    public string Path { get; }

    /// <summary>The full path of an entry of the folder, given with forward slashes.</summary>
    public string this[string relativePath] => System.IO.Path.Combine(Path, relativePath);

    /// <summary>Writes a file (empty by default), creating its folders, and returns its full path.</summary>
    public string Write(string relativePath, byte[]? content = null)
    {
        var path = this[relativePath];
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, content ?? []);
        return path;
    }

    /// <summary>Writes a text file, creating its folders, and returns its full path.</summary>
    public string WriteText(string relativePath, string text) =>
        Write(relativePath, System.Text.Encoding.UTF8.GetBytes(text));

    /// <summary>Copies a file of the shared data set into the folder and returns the copy's full path.</summary>
    public string CopyShared(string sharedPath, string relativePath) =>
        Write(relativePath, File.ReadAllBytes(System.IO.Path.Combine(SharedData.Root, sharedPath)));

    /// <summary>Creates an empty folder and returns its full path.</summary>
    public string Folder(string relativePath) => Directory.CreateDirectory(this[relativePath]).FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
