using System.Diagnostics;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using ExpressionService.Bench;

// Measures, in one run on one machine: the model's own throughput, preprocessing, the service
// end to end under fixed concurrency, the gain from batching, latency at half the peak rate,
// memory over many requests and training speed; then writes docs/performance.md.
var settings = BenchSettings.Parse(args);
var report = new PerformanceReport(settings);
var clock = Stopwatch.StartNew();
void Progress(string message) => Console.WriteLine($"[{clock.Elapsed:mm\\:ss}] {message}");

ModelThroughput.Device = settings.Device;
PreprocessingThroughput.Device = settings.Device;

// In process: the model's own limit and preprocessing, timed by BenchmarkDotNet.
var config = ManualConfig.CreateEmpty()
    .AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance)
        .WithWarmupCount(2).WithIterationCount(6).WithIterationTime(Perfolizer.Horology.TimeInterval.FromMilliseconds(400)))
    .AddLogger(NullLogger.Instance)
    .WithOptions(ConfigOptions.DisableOptimizationsValidator | ConfigOptions.JoinSummary);
Progress("model forward throughput");
foreach (var case_ in BenchmarkRunner.Run<ModelThroughput>(config).Reports)
{
    var batch = (int)case_.BenchmarkCase.Parameters["Batch"];
    report.Model[batch] = batch / Seconds(case_);
}

Progress("preprocessing throughput");
foreach (var case_ in BenchmarkRunner.Run<PreprocessingThroughput>(config).Reports)
{
    report.Preprocessing[(string)case_.BenchmarkCase.Parameters["Input"]] = 1 / Seconds(case_);
}

using var crops = RequestBody.Multipart("48x48 face crops, detection off", Paths.Crop, detect: false);
using var portraits = RequestBody.Multipart("450x450 portraits, detection on", Paths.Portrait, detect: true);

// End to end, with the batching settings an operator would run.
using (var service = await ServiceProcess.StartAsync(settings, settings.MaxBatchSize))
{
    foreach (var body in new[] { crops, portraits })
    {
        foreach (var concurrency in new[] { 1, 8, 32, 128 })
        {
            Progress($"/classify, {body.Name}, {concurrency} clients");
            report.EndToEnd.Add((body.Name, await Loads.ClosedLoopAsync(service, body, concurrency, settings.LoadDuration)));
        }
    }

    var peak = report.EndToEnd.Where(r => r.Input == crops.Name).Max(r => r.Result.Throughput);
    Progress($"/classify at half the peak rate ({peak / 2:F0}/s)");
    report.HalfPeak = await Loads.OpenLoopAsync(service, crops, peak / 2, settings.LoadDuration);

    Progress($"memory over {settings.MemoryRequests} requests");
    report.Memory = await Loads.MemoryAsync(service, crops, 1_000, settings.MemoryRequests, concurrency: 32);
}

// The same load without batching.
using (var service = await ServiceProcess.StartAsync(settings, maxBatchSize: 1))
{
    Progress("/classify without batching (MaxBatchSize=1), 32 clients");
    report.Unbatched = await Loads.ClosedLoopAsync(service, crops, 32, settings.LoadDuration);
}

Progress("training throughput");
report.Training = TrainingThroughput.Measure(settings.Device);

var markdown = report.ToMarkdown(clock.Elapsed);
Directory.CreateDirectory(Path.GetDirectoryName(settings.Output)!);
File.WriteAllText(settings.Output, markdown);
Console.WriteLine();
Console.WriteLine(markdown);
Progress($"wrote {settings.Output}");

static double Seconds(BenchmarkReport report) =>
    report.ResultStatistics?.Mean / 1e9 ?? throw new InvalidOperationException($"{report.BenchmarkCase.DisplayInfo} produced no result.");
