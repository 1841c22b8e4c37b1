using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;

namespace ExpressionService.Bench;

/// <summary>A /classify request body, prepared once and written to a file for wrk.</summary>
internal sealed record RequestBody(string Name, string Query, byte[] Bytes, string ContentType) : IDisposable
{
    public string File { get; } = Path.GetTempFileName();

    public static RequestBody Multipart(string name, string imagePath, bool detect)
    {
        using var form = new MultipartFormDataContent("bench-boundary");
        var image = new ByteArrayContent(System.IO.File.ReadAllBytes(imagePath));
        image.Headers.ContentType = new MediaTypeHeaderValue(imagePath.EndsWith(".png", StringComparison.Ordinal) ? "image/png" : "image/jpeg");
        form.Add(image, "images", Path.GetFileName(imagePath));
        var bytes = form.ReadAsByteArrayAsync().GetAwaiter().GetResult();
        var body = new RequestBody(name, detect ? "" : "?detect=false", bytes, form.Headers.ContentType!.ToString());
        System.IO.File.WriteAllBytes(body.File, bytes);
        return body;
    }

    public HttpContent Content()
    {
        var content = new ByteArrayContent(Bytes);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(ContentType);
        return content;
    }

    public void Dispose() => System.IO.File.Delete(File);
}

/// <summary>What one load run measured.</summary>
internal sealed record LoadResult(
    int Concurrency, int Requests, double Seconds, double P50Ms, double P95Ms, double P99Ms,
    IReadOnlyDictionary<string, int> Statuses, int SocketErrors, ServerMeans Server, double PeakMemoryMiB)
{
    public double MeanBatch => Server.Batch;

    public double Throughput => Requests / Seconds;

    public string Errors => string.Join(", ",
        Statuses.Where(s => s.Key != "200").Select(s => $"{s.Value}x{s.Key}")
            .Concat(SocketErrors > 0 ? [$"{SocketErrors} socket"] : []))
        is { Length: > 0 } errors ? errors : "none";
}

/// <summary>Drives the service with wrk (closed loop, fixed concurrency) or at a fixed rate.</summary>
internal static class Loads
{
    private static readonly string Script = Path.Combine(Paths.RepoRoot, "bench", "wrk", "classify.lua");

    /// <summary>wrk with a fixed number of connections for a fixed time.</summary>
    public static async Task<LoadResult> ClosedLoopAsync(ServiceProcess service, RequestBody body, int concurrency, TimeSpan duration)
    {
        var before = await service.TotalsAsync();
        var threads = Math.Min(concurrency, Environment.ProcessorCount);
        var start = new ProcessStartInfo("wrk",
        [
            "-t", threads.ToString(CultureInfo.InvariantCulture),
            "-c", concurrency.ToString(CultureInfo.InvariantCulture),
            "-d", $"{(int)duration.TotalSeconds}s",
            "--timeout", "30s",
            "-s", Script,
            new Uri(service.Address, "/classify" + body.Query).ToString(),
        ])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["WRK_BODY"] = body.File;
        start.Environment["WRK_CONTENT_TYPE"] = body.ContentType;

        using var wrk = Process.Start(start) ?? throw new InvalidOperationException("wrk did not start.");
        var output = await wrk.StandardOutput.ReadToEndAsync();
        await wrk.WaitForExitAsync();
        var line = output.Split('\n').LastOrDefault(l => l.StartsWith('{'))
            ?? throw new InvalidOperationException($"wrk printed no result: {output} {await wrk.StandardError.ReadToEndAsync()}");

        var result = JsonSerializer.Deserialize<WrkResult>(line, JsonSerializerOptions.Web)!;
        var after = await service.TotalsAsync();
        return new LoadResult(
            concurrency, result.Requests, result.DurationMicroseconds / 1e6,
            result.P50 / 1000.0, result.P95 / 1000.0, result.P99 / 1000.0,
            result.Statuses, result.SocketErrors, after.Since(before), service.Memory().Peak);
    }

    /// <summary>
    /// Requests at a fixed rate, each timed from when it was due (so a stall shows up as latency
    /// instead of as fewer requests).
    /// </summary>
    public static async Task<LoadResult> OpenLoopAsync(ServiceProcess service, RequestBody body, double perSecond, TimeSpan duration)
    {
        var before = await service.TotalsAsync();
        var total = (int)(perSecond * duration.TotalSeconds);
        var latencies = new double[total];
        var statuses = new int[total];
        using var client = new HttpClient { BaseAddress = service.Address, Timeout = TimeSpan.FromSeconds(60) };
        var clock = Stopwatch.StartNew();
        var tasks = new Task[total];
        for (var i = 0; i < total; i++)
        {
            var due = TimeSpan.FromSeconds(i / perSecond);
            var wait = due - clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }

            var index = i;
            tasks[i] = Task.Run(async () =>
            {
                using var response = await client.PostAsync("/classify" + body.Query, body.Content());
                latencies[index] = (clock.Elapsed - due).TotalMilliseconds;
                statuses[index] = (int)response.StatusCode;
            });
        }

        await Task.WhenAll(tasks);
        var seconds = clock.Elapsed.TotalSeconds;
        Array.Sort(latencies);
        double Percentile(double p) => latencies[Math.Min(total - 1, (int)Math.Ceiling(p / 100 * total) - 1)];
        var after = await service.TotalsAsync();
        return new LoadResult(
            0, total, seconds, Percentile(50), Percentile(95), Percentile(99),
            statuses.GroupBy(s => s.ToString(CultureInfo.InvariantCulture)).ToDictionary(g => g.Key, g => g.Count()),
            0, after.Since(before), service.Memory().Peak);
    }

    /// <summary>Resident memory after the first <paramref name="early"/> and after all <paramref name="total"/> requests.</summary>
    public static async Task<(double AfterEarly, double AfterAll)> MemoryAsync(
        ServiceProcess service, RequestBody body, int early, int total, int concurrency)
    {
        using var client = new HttpClient { BaseAddress = service.Address, Timeout = TimeSpan.FromSeconds(60) };
        await SendAsync(client, body, early, concurrency);
        var afterEarly = await SettledRssAsync(service);
        await SendAsync(client, body, total - early, concurrency);
        return (afterEarly, await SettledRssAsync(service));
    }

    private static async Task SendAsync(HttpClient client, RequestBody body, int count, int concurrency)
    {
        var remaining = count;
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (Interlocked.Decrement(ref remaining) >= 0)
            {
                using var response = await client.PostAsync("/classify" + body.Query, body.Content());
                response.EnsureSuccessStatusCode();
            }
        }));
    }

    // Read after a pause, so that the sample is the process at rest rather than mid-burst.
    private static async Task<double> SettledRssAsync(ServiceProcess service)
    {
        await Task.Delay(TimeSpan.FromSeconds(2));
        return service.Memory().Current;
    }

    private sealed record WrkResult(
        int Requests, long DurationMicroseconds, long P50, long P95, long P99,
        Dictionary<string, int> Statuses, int SocketErrors);
}
