using ExpressionNet.Cli;
using ExpressionNet.Cli.Commands;
using Spectre.Console.Cli;

var app = new CommandApp();
app.Configure(config =>
{
    config.SetApplicationName("expnet");

    // A mistyped option (--stage2-epoch) must stop the run, not be ignored while training for hours.
    config.UseStrictParsing();
    config.AddCommand<TrainCommand>("train")
        .WithDescription("Train an expression model on a labelled image folder and write its checkpoint and report.")
        .WithExample("train", "--data", "../shared/data/fer2013", "--validation", "test/PublicTest_*",
            "--test", "test/PrivateTest_*", "--config", "configs/fer2013.json", "--output", "models/default");
    config.AddCommand<EvaluateCommand>("evaluate")
        .WithDescription("Measure a checkpoint on a data set, or cross-validate a training configuration with --folds.")
        .WithExample("evaluate", "--model", "models/default", "--data", "../shared/data/fer2013", "--test", "test/PrivateTest_*")
        .WithExample("evaluate", "--data", "../shared/data/frl-london", "--folds", "5", "--config", "configs/frl-london.json");
    config.AddCommand<PredictCommand>("predict")
        .WithDescription("Label the faces in images with a checkpoint.")
        .WithExample("predict", "--model", "models/default", "photo.jpg");
    config.SetExceptionHandler((exception, _) => CommandErrors.Report(exception));
});

return await app.RunAsync(args);
