using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using ExpressionNet.Checkpoints;
using ExpressionNet.Data;
using ExpressionNet.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ExpressionNet.Cli;

/// <summary>Turns a failure into one line for the person at the terminal and an exit code.</summary>
internal static class CommandErrors
{
    public const int BadInput = 1;
    public const int Cancelled = 130;
    public const int Unexpected = 70;

    // Redirected output has no width of its own; Spectre would wrap at 80 columns and split the line.
    private const int UnwrappedWidth = 4096;

    // Errors go to standard error, so that output piped elsewhere (predict --json) stays clean.
    private static readonly Lazy<IAnsiConsole> _errorConsole = new(() =>
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        if (Console.IsErrorRedirected)
        {
            console.Profile.Width = UnwrappedWidth;
        }

        return console;
    });

    public static int Report(Exception exception)
    {
        var (code, message) = exception switch
        {
            CommandAppException e => (BadInput, e.Message),
            DatasetException or CheckpointException or ValidationException or ArgumentException or TrainingDivergedException
                or FileNotFoundException or DirectoryNotFoundException or InvalidDataException => (BadInput, exception.Message),
            JsonException e => (BadInput, $"The configuration file is not valid: {e.Message}"),
            OperationCanceledException => (Cancelled, "Cancelled."),
            _ => (Unexpected, $"Unexpected {exception.GetType().Name}: {exception.Message}"),
        };

        _errorConsole.Value.MarkupLineInterpolated($"[red]error:[/] {message}");
        return code;
    }
}
