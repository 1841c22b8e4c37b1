using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace ExpressionService.Bench;

/// <summary>
/// The service started as its own process on a free local port, with a fresh registry seeded from
/// the shipped model, the job runner off and request logging quiet, as an operator would run it.
/// </summary>
internal sealed class ServiceProcess : IDisposable
{
    private readonly Process _process;
    private readonly string _state;

    private ServiceProcess(Process process, string state, Uri address)
    {
        _process = process;
        _state = state;
        Address = address;
        Client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromMinutes(2) };
    }

    public Uri Address { get; }

    public HttpClient Client { get; }

    public static async Task<ServiceProcess> StartAsync(BenchSettings settings, int maxBatchSize)
    {
        var port = FreePort();
        var state = Directory.CreateTempSubdirectory("expression-bench-").FullName;
        var start = new ProcessStartInfo("dotnet", [Paths.ServiceAssembly, "--urls", $"http://127.0.0.1:{port}"])
        {
            WorkingDirectory = Path.GetDirectoryName(Paths.ServiceAssembly)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Registry__Root"] = Path.Combine(state, "registry"),
            ["Registry__SeedModel"] = Paths.Model,
            ["Jobs__Database"] = Path.Combine(state, "jobs.db"),
            ["Jobs__WorkRoot"] = Path.Combine(state, "jobs"),
            ["Jobs__RunnerEnabled"] = "false",
            ["Batching__MaxBatchSize"] = maxBatchSize.ToString(CultureInfo.InvariantCulture),
            ["Batching__MaxBatchDelay"] = settings.MaxBatchDelay.ToString("c", CultureInfo.InvariantCulture),
            ["Batching__MaxQueueSize"] = "4096",
            ["Batching__Device"] = settings.Device,
            ["Serilog__MinimumLevel__Default"] = "Warning",
        };
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("The service did not start.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var service = new ServiceProcess(process, state, new Uri($"http://127.0.0.1:{port}"));
        await service.WaitReadyAsync(TimeSpan.FromMinutes(2));
        return service;
    }

    /// <summary>The sums and counts of the service's batch-size, queue-wait and inference-time histograms.</summary>
    public async Task<ServerTotals> TotalsAsync()
    {
        var text = await Client.GetStringAsync("/metrics");
        double Read(string name) => text.Split('\n')
            .Where(line => line.StartsWith(name + " ", StringComparison.Ordinal))
            .Select(line => double.Parse(line[(name.Length + 1)..], CultureInfo.InvariantCulture))
            .FirstOrDefault();
        (double, double) Histogram(string name) => (Read(name + "_sum"), Read(name + "_count"));
        return new ServerTotals(
            Histogram("expression_batch_size"),
            Histogram("expression_queue_wait_seconds"),
            Histogram("expression_inference_seconds"));
    }

    /// <summary>Resident memory now and at its peak, in MiB.</summary>
    public (double Current, double Peak) Memory()
    {
        var status = File.ReadAllLines($"/proc/{_process.Id}/status");
        double Read(string key) => double.Parse(
            status.First(l => l.StartsWith(key, StringComparison.Ordinal)).Split(':')[1].Trim().Split(' ')[0],
            CultureInfo.InvariantCulture) / 1024;
        return (Read("VmRSS"), Read("VmHWM"));
    }

    public void Dispose()
    {
        Client.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }

        _process.Dispose();
        Directory.Delete(_state, recursive: true);
    }

    private async Task WaitReadyAsync(TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The service exited with code {_process.ExitCode} while starting.");
            }

            try
            {
                using var response = await Client.GetAsync("/health/ready");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"The service was not ready within {timeout}.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>Running (sum, count) totals of the service's batching histograms.</summary>
internal sealed record ServerTotals(
    (double Sum, double Count) BatchSize, (double Sum, double Count) QueueWait, (double Sum, double Count) Inference)
{
    /// <summary>The means of what happened between <paramref name="before"/> and this.</summary>
    public ServerMeans Since(ServerTotals before) => new(
        Mean(before.BatchSize, BatchSize), 1000 * Mean(before.QueueWait, QueueWait), 1000 * Mean(before.Inference, Inference));

    private static double Mean((double Sum, double Count) before, (double Sum, double Count) after) =>
        after.Count > before.Count ? (after.Sum - before.Sum) / (after.Count - before.Count) : 0;
}

/// <summary>What the service itself saw during a load: faces per pass, queue wait and pass time.</summary>
internal sealed record ServerMeans(double Batch, double QueueWaitMs, double InferenceMs);
