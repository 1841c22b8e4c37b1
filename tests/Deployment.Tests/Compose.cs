namespace Deployment.Tests;

/// <summary>Runs Debian's docker-compose (v1) against the repository's docker-compose.yml.</summary>
internal static class Compose
{
    public const string ExampleEnvFile = ".env.example";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

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
        return ChildProcess.RunAsync("docker-compose", ["--env-file", envFile, .. arguments], Repository.Root, Timeout, environment);
    }

    /// <summary>The fully resolved compose file with every profile, as docker-compose reads it with the example env file.</summary>
    public static async Task<YamlMap> ResolvedAsync()
    {
        var result = await RunAsync(ExampleEnvFile, "--profile", "gpu", "--profile", "monitoring", "config");
        Assert.True(result.ExitCode == 0, result.Error);
        return YamlMap.Parse(result.Output);
    }

    /// <summary>The names docker-compose.yml interpolates (${NAME}, ${NAME:-default}, ${NAME:?error}).</summary>
    public static IEnumerable<string> VariablesOfTheComposeFile() =>
        System.Text.RegularExpressions.Regex.Matches(Repository.ReadText("docker-compose.yml"), @"\$\{(\w+)")
            .Select(m => m.Groups[1].Value)
            .Distinct();
}
