using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace ExpressionService.Bench;

/// <summary>The measurements of one benchmark run, and their rendering as docs/performance.md.</summary>
internal sealed class PerformanceReport(BenchSettings settings)
{
    public SortedDictionary<int, double> Model { get; } = [];

    public Dictionary<string, double> Preprocessing { get; } = [];

    public List<(string Input, LoadResult Result)> EndToEnd { get; } = [];

    public LoadResult? HalfPeak { get; set; }

    public LoadResult? Unbatched { get; set; }

    public (double AfterEarly, double AfterAll) Memory { get; set; }

    public (double Trainer, double RawLoop) Training { get; set; }

    public string ToMarkdown(TimeSpan took)
    {
        var text = new StringBuilder();
        var i = CultureInfo.InvariantCulture;
        void Line(string line = "") => text.Append(line).Append('\n');

        Line("# Performance");
        Line();
        Line("Measured by `bench/run.sh` (which runs `dotnet run -c Release --project bench/ExpressionService.Bench`); "
            + "every figure below comes from that run, on the machine described here. Regenerate with the same command.");
        Line();
        Line($"- Machine: {Cpu()}, {Environment.ProcessorCount} cores, {MemoryGiB():F0} GiB, {RuntimeInformation.OSDescription}");
        Line($"- Runtime: .NET {Environment.Version}, TorchSharp {typeof(TorchSharp.torch).Assembly.GetName().Version}; device `{settings.Device}`");
        Line($"- Model: `models/default` (the shipped model); service settings MaxBatchSize={settings.MaxBatchSize}, "
            + $"MaxBatchDelay={settings.MaxBatchDelay.TotalMilliseconds:0} ms; loads of {settings.LoadDuration.TotalSeconds:0} s each");
        Line($"- Date: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC; the run took {took:mm\\:ss}");
        Line();

        Line("## The model alone (in process, no HTTP)");
        Line();
        Line("One call of what the inference worker runs per batch: normalisation and the flip-averaged forward pass.");
        Line();
        Line("| batch | images/s |");
        Line("|---:|---:|");
        foreach (var (batch, rate) in Model)
        {
            Line(string.Create(i, $"| {batch} | {rate:F0} |"));
        }

        Line();
        Line("## Preprocessing (one thread)");
        Line();
        Line("| input | images/s |");
        Line("|---|---:|");
        foreach (var (input, rate) in Preprocessing)
        {
            Line(string.Create(i, $"| {input} | {rate:F0} |"));
        }

        Line();
        Line("## /classify end to end (wrk, fixed concurrency)");
        Line();
        Line("| input | clients | requests/s | p50 ms | p95 ms | p99 ms | errors | mean batch | peak RSS MiB |");
        Line("|---|---:|---:|---:|---:|---:|---|---:|---:|");
        foreach (var (input, r) in EndToEnd)
        {
            Line(string.Create(i,
                $"| {input} | {r.Concurrency} | {r.Throughput:F0} | {r.P50Ms:F1} | {r.P95Ms:F1} | {r.P99Ms:F1} | {r.Errors} | {r.MeanBatch:F1} | {r.PeakMemoryMiB:F0} |"));
        }

        if (HalfPeak is not null)
        {
            var server = HalfPeak.Server;
            Line();
            Line("## Latency at half the peak rate (48x48 crops, open loop)");
            Line();
            Line("Client-side latency counts from when each request was due; the service's own histograms say where the time went.");
            Line();
            Line("| requests/s | p50 ms | p95 ms | p99 ms | mean batch | mean queue wait ms | mean forward pass ms |");
            Line("|---:|---:|---:|---:|---:|---:|---:|");
            Line(string.Create(i,
                $"| {HalfPeak.Throughput:F0} | {HalfPeak.P50Ms:F1} | {HalfPeak.P95Ms:F1} | {HalfPeak.P99Ms:F1} | {server.Batch:F1} | {server.QueueWaitMs:F1} | {server.InferenceMs:F1} |"));
        }

        Line();
        Line("## Targets");
        Line();
        Line("| target | measured | holds |");
        Line("|---|---|---|");
        foreach (var (name, measured, holds) in Targets())
        {
            Line($"| {name} | {measured} | {(holds ? "yes" : "no")} |");
        }

        Line();
        return text.ToString();
    }

    private IEnumerable<(string Name, string Measured, bool Holds)> Targets()
    {
        var i = CultureInfo.InvariantCulture;
        var crops = EndToEnd.Where(e => e.Input.Contains("crops", StringComparison.Ordinal)).Select(e => e.Result).ToList();
        var at32 = crops.FirstOrDefault(r => r.Concurrency == 32);
        if (at32 is not null)
        {
            var raw = RawAt(at32.MeanBatch);
            yield return (
                "throughput at 32 clients >= 0.8 x the model alone at the mean batch size",
                string.Create(i, $"{at32.Throughput:F0}/s vs {raw:F0}/s at batch {at32.MeanBatch:F1}: {at32.Throughput / raw:F2}"),
                at32.Throughput >= 0.8 * raw);

            if (Unbatched is not null)
            {
                yield return (
                    "batching >= 3x the throughput of MaxBatchSize=1 (32 clients)",
                    string.Create(i, $"{at32.Throughput:F0}/s vs {Unbatched.Throughput:F0}/s: {at32.Throughput / Unbatched.Throughput:F1}x"),
                    at32.Throughput >= 3 * Unbatched.Throughput);
            }
        }

        if (HalfPeak is not null)
        {
            var batch = Math.Max(1, HalfPeak.MeanBatch);
            var compute = 1000 * batch / RawAt(batch);
            var bound = settings.MaxBatchDelay.TotalMilliseconds + 3 * compute;
            yield return (
                "p99 at half the peak rate < MaxBatchDelay + 3 batch compute times",
                string.Create(i, $"{HalfPeak.P99Ms:F1} ms at {HalfPeak.Throughput:F0}/s (mean batch {HalfPeak.MeanBatch:F1}, bound {bound:F1} ms; errors: {HalfPeak.Errors})"),
                HalfPeak.P99Ms < bound);
        }

        if (Memory.AfterEarly > 0)
        {
            yield return (
                $"RSS after {settings.MemoryRequests} requests within 10% of RSS after 1,000",
                string.Create(i, $"{Memory.AfterAll:F0} MiB vs {Memory.AfterEarly:F0} MiB: {100 * (Memory.AfterAll / Memory.AfterEarly - 1):+0.0;-0.0}%"),
                Memory.AfterAll <= 1.1 * Memory.AfterEarly);
        }

        if (Training.RawLoop > 0)
        {
            yield return (
                "stage-2 training >= 0.9 x the raw forward+backward loop",
                string.Create(i, $"{Training.Trainer:F0} vs {Training.RawLoop:F0} images/s: {Training.Trainer / Training.RawLoop:F2}"),
                Training.Trainer >= 0.9 * Training.RawLoop);
        }
    }

    // The model's rate at a batch size between measured ones, interpolated linearly.
    private double RawAt(double batch)
    {
        var points = Model.ToList();
        if (batch <= points[0].Key)
        {
            return points[0].Value;
        }

        for (var k = 1; k < points.Count; k++)
        {
            if (batch <= points[k].Key)
            {
                var (a, b) = (points[k - 1], points[k]);
                return a.Value + (b.Value - a.Value) * (batch - a.Key) / (b.Key - a.Key);
            }
        }

        return points[^1].Value;
    }

    private static string Cpu() =>
        File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':')[1].Trim() ?? "unknown CPU"
            : RuntimeInformation.ProcessArchitecture.ToString();

    private static double MemoryGiB() =>
        File.Exists("/proc/meminfo")
            ? double.Parse(File.ReadLines("/proc/meminfo").First().Split(':')[1].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024 / 1024
            : 0;
}
