namespace ExpressionService.Bench;

/// <summary>What a benchmark run measures with, and where it finds things.</summary>
internal sealed record BenchSettings
{
    /// <summary>The compute device: auto (CUDA when present), cpu or cuda.</summary>
    public string Device { get; init; } = "auto";

    /// <summary>How long each end-to-end load runs.</summary>
    public TimeSpan LoadDuration { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Requests of the memory run.</summary>
    public int MemoryRequests { get; init; } = 20_000;

    /// <summary>The report to write.</summary>
    public string Output { get; init; } = Path.Combine(Paths.RepoRoot, "docs", "performance.md");

    /// <summary>The batching settings the service runs with (except in the batching-gain run).</summary>
    public int MaxBatchSize { get; init; } = 32;

    public TimeSpan MaxBatchDelay { get; init; } = TimeSpan.FromMilliseconds(5);

    public static BenchSettings Parse(string[] args)
    {
        var settings = new BenchSettings();
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            settings = args[i] switch
            {
                "--device" => settings with { Device = Next() },
                "--duration" => settings with { LoadDuration = TimeSpan.FromSeconds(double.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture)) },
                "--memory-requests" => settings with { MemoryRequests = int.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture) },
                "--output" => settings with { Output = Path.GetFullPath(Next()) },
                "--quick" => settings with { LoadDuration = TimeSpan.FromSeconds(4), MemoryRequests = 3_000 },
                _ => throw new ArgumentException(
                    $"Unknown option '{args[i]}'. Options: --device auto|cpu|cuda, --duration <seconds>, "
                    + "--memory-requests <n>, --output <file>, --quick."),
            };
        }

        return settings;
    }
}

/// <summary>Locations in the repository and the shared data.</summary>
internal static class Paths
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string DataRoot { get; } =
        Environment.GetEnvironmentVariable("EXPRESSION_DATA_ROOT") is { Length: > 0 } configured
            ? configured
            : Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "data"));

    public static string Model => Path.Combine(RepoRoot, "models", "default");

    public static string Portrait => Path.Combine(DataRoot, "frl-london", "happy", "001.jpg");

    public static string FerTrain => Path.Combine(DataRoot, "fer2013", "train");

    /// <summary>A real 48x48 face crop: the first PrivateTest image of the happy class.</summary>
    public static string Crop => Directory.EnumerateFiles(Path.Combine(DataRoot, "fer2013", "test", "happy"), "PrivateTest_*.png")
        .Order(StringComparer.Ordinal).First();

    /// <summary>The service, built in the bench's own configuration beside it.</summary>
    public static string ServiceAssembly
    {
        get
        {
            // The bench runs from bench/ExpressionService.Bench/bin/<configuration>/net10.0/.
            var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
            return Path.Combine(RepoRoot, "src", "ExpressionService", "bin", configuration, "net10.0", "ExpressionService.dll");
        }
    }

    private static string FindRepoRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "ExpressionService.sln")))
            {
                return folder.FullName;
            }
        }

        throw new DirectoryNotFoundException("Run the benchmark from the repository: no ExpressionService.sln above it.");
    }
}
