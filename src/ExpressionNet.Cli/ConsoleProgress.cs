using ExpressionNet.Training;
using Spectre.Console;

namespace ExpressionNet.Cli;

/// <summary>
/// Shows a training run in the terminal: a progress bar for the whole run and one for the current
/// stage, and a line per epoch with its measurements.
/// </summary>
internal sealed class ConsoleProgress : ITrainingObserver
{
    private readonly ProgressContext _context;
    private readonly ProgressTask _overall;
    private ProgressTask? _stage;

    private ConsoleProgress(ProgressContext context)
    {
        _context = context;
        _overall = context.AddTask("[bold]training[/]", maxValue: 1.0);
    }

    /// <summary>Runs <paramref name="work"/> with progress bars that it reports to.</summary>
    public static T Run<T>(Func<ITrainingObserver, T> work) =>
        AnsiConsole.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(
                new TaskDescriptionColumn(),
                new ProgressBarColumn(),
                new PercentageColumn(),
                new ElapsedTimeColumn(),
                new RemainingTimeColumn())
            .Start(context => work(new ConsoleProgress(context)));

    public void StageStarted(TrainingStage stage)
    {
        _stage?.StopTask();
        _stage = _context.AddTask(Describe(stage), maxValue: 1.0);
    }

    public void StepCompleted(TrainingStep progress)
    {
        _overall.Value = progress.FractionDone;
        if (_stage is not null)
        {
            _stage.Description = $"{Describe(progress.Stage)} epoch {progress.Epoch}/{progress.Epochs} loss {progress.Loss:F3}";
            _stage.Value = ((progress.Epoch - 1) * (double)progress.Steps + progress.Step) / (progress.Epochs * (double)progress.Steps);
        }
    }

    public void EpochCompleted(EpochResult result)
    {
        var validation = result.ValidationAccuracy is { } accuracy ? $", validation accuracy {accuracy:P2}"
            : result.ValidationLoss is { } loss ? $", validation loss {loss:F4}"
            : "";
        var training = result.TrainAccuracy is { } trainAccuracy ? $", accuracy {trainAccuracy:P2}" : "";
        AnsiConsole.MarkupLineInterpolated(
            $"[grey]{Describe(result.Stage)}[/] epoch {result.Epoch}: loss {result.TrainLoss:F4}{training}{validation} ({result.Duration:mm\\:ss})");
    }

    public void Log(string message) => AnsiConsole.MarkupLineInterpolated($"[grey]{message}[/]");

    private static string Describe(TrainingStage stage) => stage switch
    {
        TrainingStage.LoadingData => "reading images",
        TrainingStage.FineTuningFaceNet => "face-net fine-tuning",
        TrainingStage.Stage1 => "stage 1",
        TrainingStage.Stage2 => "stage 2",
        TrainingStage.Evaluating => "evaluating",
        _ => stage.ToString(),
    };
}
