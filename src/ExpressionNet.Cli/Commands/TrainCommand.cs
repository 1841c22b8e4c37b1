using System.ComponentModel;
using ExpressionNet.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ExpressionNet.Cli.Commands;

/// <summary><c>expnet train</c>: trains a model and writes its checkpoint folder.</summary>
internal sealed class TrainCommand : Command<TrainCommand.Settings>
{
    internal sealed class Settings : TrainingSettings
    {
        [CommandOption("-o|--output <FOLDER>")]
        [Description("The checkpoint folder to write: model.weights, model.json and report/.")]
        public string Output { get; init; } = "";

        [CommandOption("-n|--name <NAME>")]
        [Description("The model's name, stored in its metadata. Default: the output folder's name.")]
        public string? Name { get; init; }

        [CommandOption("--work-dir <FOLDER>")]
        [Description("Keep per-epoch checkpoints here; running again with the same folder resumes after the last finished epoch.")]
        public string? WorkDir { get; init; }

        public override ValidationResult Validate()
        {
            var result = base.Validate();
            return !result.Successful ? result
                : string.IsNullOrWhiteSpace(Output) ? ValidationResult.Error("Say where to write the model with --output <FOLDER>.")
                : ValidationResult.Success();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var config = settings.ReadConfig();
        var data = settings.DatasetSpec(config);
        var options = settings.TrainingOptions(config);
        var name = settings.Name ?? Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(settings.Output)));

        AnsiConsole.MarkupLineInterpolated($"Training [bold]{name}[/] ({options.Method}) on {data.Root}");
        var outcome = ConsoleProgress.Run(observer =>
            new TrainingPipeline(options, observer)
                .Train(data, name, settings.Output, settings.WorkDir, cancellationToken));

        if (outcome.Skipped.Count > 0)
        {
            AnsiConsole.MarkupLineInterpolated($"[yellow]Skipped {outcome.Skipped.Count} unreadable or faceless images.[/]");
        }

        if (outcome.Metadata.Metrics?.Validation is { } validation)
        {
            AnsiConsole.MarkupLineInterpolated($"Validation: {Reports.Summary(validation)}");
        }

        if (outcome.Metadata.Metrics?.Test is { } test)
        {
            AnsiConsole.MarkupLineInterpolated($"Test: {Reports.Summary(test)}");
            AnsiConsole.Write(Reports.Table(test));
        }

        AnsiConsole.MarkupLineInterpolated($"Wrote [bold]{outcome.Folder}[/]");
        return 0;
    }
}
