using System.Collections.Concurrent;
using System.Text.RegularExpressions;

namespace Deployment.Tests;

/// <summary>Runs Debian's docker-compose (v1) against the repository's docker-compose.yml.</summary>
internal static partial class Compose
{
    public const string ExampleEnvFile = ".env.example";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    // docker-compose takes about half a second a run; the files do not change during a test run.
    private static readonly ConcurrentDictionary<string, Task<ProcessResult>> Validations = new();
    private static readonly Lazy<Task<YamlMap>> Resolved = new(ResolveAsync);

    /// <summary>
    /// Runs <c>docker-compose --env-file &lt;envFile&gt; &lt;arguments&gt;</c> in the repository root,
    /// with none of the compose file's variables inherited from this process.
    /// </summary>
    public static Task<ProcessResult> RunAsync(string envFile, params string[] arguments)
    {
        Assert.True(ChildProcess.IsOnPath("docker-compose"),
            "docker-compose is not installed, so the compose file cannot be validated. Install Debian's package "
            + "(apt-get install docker-compose), or run deploy/check.sh, which installs it when missing.");

        var environment = VariablesOfTheComposeFile().ToDictionary(name => name, string? (_) => null);
        string[] command = ["--env-file", envFile, .. arguments];
        return ChildProcess.RunAsync("docker-compose", command, Repository.Root, Timeout, environment);
    }

    /// <summary><c>docker-compose config -q</c> with the example env file and these profiles enabled.</summary>
    public static Task<ProcessResult> ValidateAsync(IEnumerable<string> profiles)
    {
        string[] options = [.. profiles.Order().Distinct().SelectMany(p => new[] { "--profile", p })];
        return Validations.GetOrAdd(string.Join(' ', options), _ => RunAsync(ExampleEnvFile, [.. options, "config", "-q"]));
    }

    /// <summary>The services of the resolved compose file, every profile enabled, with the example env file.</summary>
    public static async Task<YamlMap> ServicesAsync() => (await ResolvedAsync()).RequiredMap("services");

    /// <summary>The resolved compose file, every profile enabled, as docker-compose reads it with the example env file.</summary>
    public static Task<YamlMap> ResolvedAsync() => Resolved.Value;

    private static async Task<YamlMap> ResolveAsync()
    {
        var result = await RunAsync(ExampleEnvFile, "--profile", "gpu", "--profile", "monitoring", "config");
        Assert.True(result.ExitCode == 0, result.Error);
        return YamlMap.Parse(result.Output);
    }

    /// <summary>The names docker-compose.yml interpolates (${NAME}, ${NAME:-default}, ${NAME:?error}).</summary>
    public static IEnumerable<string> VariablesOfTheComposeFile() =>
        Variable().Matches(Repository.ReadText("docker-compose.yml")).Select(m => m.Groups[1].Value).Distinct();

    [GeneratedRegex(@"\$\{(\w+)")]
    private static partial Regex Variable();
}
