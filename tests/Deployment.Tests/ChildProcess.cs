using System.Diagnostics;

namespace Deployment.Tests;

/// <summary>What a finished child process left: its exit code and its two outputs.</summary>
internal sealed record ProcessResult(int ExitCode, string Output, string Error);

/// <summary>Runs command-line tools (docker-compose, dotnet publish) to completion.</summary>
internal static class ChildProcess
{
    /// <summary>Runs a program and waits for it; kills it and throws when it outlives the timeout.</summary>
    public static async Task<ProcessResult> RunAsync(
        string program, IEnumerable<string> arguments, string workingDirectory, TimeSpan timeout,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        var start = new ProcessStartInfo(program)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        SetEnvironment(start, environment);

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timer = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(timer.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', start.ArgumentList)} took longer than {timeout}.");
        }

        return new ProcessResult(process.ExitCode, await output, await error);
    }

    /// <summary>Sets variables of a process to start; a null value removes one it would inherit.</summary>
    public static void SetEnvironment(ProcessStartInfo start, IReadOnlyDictionary<string, string?>? environment)
    {
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }
    }

    /// <summary>Whether a program can be found on the PATH.</summary>
    public static bool IsOnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(folder => File.Exists(Path.Combine(folder, program)));
}
