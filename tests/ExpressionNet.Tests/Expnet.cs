using System.Diagnostics;
using System.Reflection;
using System.Text.RegularExpressions;
using Spectre.Console.Cli;

namespace ExpressionNet.Tests;

/// <summary>What one run of the expnet command line printed and returned.</summary>
public sealed record ExpnetRun(int ExitCode, string Output, string Error)
{
    /// <summary>Every line of both streams that reports an error.</summary>
    public IReadOnlyList<string> ErrorLines =>
        (Output + "\n" + Error).Split('\n').Where(line => line.StartsWith("error:", StringComparison.Ordinal)).ToList();

    /// <summary>
    /// Asserts that the run failed as bad input is meant to fail: exit code 1, exactly one error line on
    /// standard error and no stack trace anywhere; returns that line.
    /// </summary>
    public string SingleError()
    {
        Assert.DoesNotContain("   at ", Output + Error);
        Assert.Equal(1, ExitCode);
        var line = Assert.Single(ErrorLines);
        Assert.StartsWith("error:", Error, StringComparison.Ordinal);
        return line;
    }
}

/// <summary>Runs the built expnet.dll, which the build copies beside the tests, as a child process.</summary>
public static class Expnet
{
    // Long enough for evaluating a few thousand images on a busy 2-core machine; only a hang outlasts it.
    private static readonly TimeSpan _timeout = TimeSpan.FromMinutes(3);

    public static async Task<ExpnetRun> RunAsync(string workingDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "expnet.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["NO_COLOR"] = "1";

        using var process = Process.Start(start)
            ?? throw new InvalidOperationException("The dotnet host did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(_timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"expnet {string.Join(' ', arguments)} ran for more than {_timeout}.");
        }

        return new ExpnetRun(process.ExitCode, await output, await error);
    }

    /// <summary>The long names of a command's options, read from its settings class.</summary>
    public static IReadOnlyList<string> OptionsOf(string command)
    {
        var settings = Assembly.Load("expnet").GetType($"ExpressionNet.Cli.Commands.{command}Command+Settings", true)!;
        return settings.GetProperties()
            .SelectMany(p => p.GetCustomAttributes<CommandOptionAttribute>())
            .SelectMany(o => o.LongNames)
            .ToList();
    }

    /// <summary>Asserts that help text lists every option of a command with a description beside it.</summary>
    public static void AssertDescribesEveryOption(string help, string command)
    {
        var options = OptionsOf(command);

        Assert.NotEmpty(options);
        Assert.All(options, option => Assert.Matches(
            new Regex($@"^\s+(-\w, )?--{Regex.Escape(option)}( <[^>]+>)?[ ]{{2,}}\w", RegexOptions.Multiline), help));
    }
}
