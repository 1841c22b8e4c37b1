using System.Diagnostics;
using ExpressionService.Operations;
using Microsoft.Extensions.Options;
using static TorchSharp.torch;

namespace ExpressionService.Classification;

/// <summary>
/// The one consumer of the inference queue and the only code that runs the expression model. It
/// takes up to <see cref="BatchingOptions.MaxBatchSize"/> faces, or whatever has arrived
/// <see cref="BatchingOptions.MaxBatchDelay"/> after the first of them, runs one forward pass and
/// completes every request of the batch. A batch only holds requests made for one model version;
/// the others wait for the next batch, so a promotion never mixes versions. Requests are claimed
/// only when their batch closes: until then each may still time out or lose its client, and is
/// then left out.
/// </summary>
public sealed partial class InferenceWorker(
    InferenceQueue queue,
    IOptions<BatchingOptions> options,
    ServiceMetrics metrics,
    ILogger<InferenceWorker> logger) : BackgroundService
{
    private readonly BatchingOptions _options = options.Value;
    private InferenceRequest? _carried;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var batch = await NextBatchAsync(stoppingToken);
                batch.RemoveAll(request => !Claim(request));
                if (batch.Count > 0)
                {
                    Run(batch);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: whatever is still queued is answered by its handler's timeout or abort.
        }
    }

    private async Task<List<InferenceRequest>> NextBatchAsync(CancellationToken stoppingToken)
    {
        var reader = queue.Reader;
        var first = _carried;
        _carried = null;
        while (first is null)
        {
            var candidate = await reader.ReadAsync(stoppingToken);
            first = IsWaiting(candidate) ? candidate : null;
        }

        var batch = new List<InferenceRequest> { first };
        var faces = first.Count;
        while (faces < _options.MaxBatchSize)
        {
            if (reader.TryRead(out var next))
            {
                if (!IsWaiting(next))
                {
                    continue;
                }

                if (next.Model != first.Model || faces + next.Count > _options.MaxBatchSize)
                {
                    _carried = next;
                    break;
                }

                batch.Add(next);
                faces += next.Count;
                continue;
            }

            var remaining = _options.MaxBatchDelay - Stopwatch.GetElapsedTime(first.Enqueued);
            if (remaining <= TimeSpan.Zero || !await WaitForMoreAsync(reader, remaining, stoppingToken))
            {
                break;
            }
        }

        return batch;
    }

    private static async Task<bool> WaitForMoreAsync(
        System.Threading.Channels.ChannelReader<InferenceRequest> reader, TimeSpan remaining, CancellationToken stoppingToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(remaining);
        try
        {
            return await reader.WaitToReadAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            return false;
        }
    }

    // False for a request its handler has given up on, or whose client has gone (given up on here).
    private bool IsWaiting(InferenceRequest request)
    {
        if (request.Aborted.IsCancellationRequested && queue.TryAbandon(request, "client_gone"))
        {
            request.Completion.TrySetCanceled(request.Aborted);
            return false;
        }

        return !request.IsAbandoned;
    }

    // Takes a request into the batch about to run, unless it has been abandoned while the batch filled.
    private bool Claim(InferenceRequest request)
    {
        if (!IsWaiting(request) || !request.TryStart())
        {
            return false;
        }

        queue.Dequeued();
        return true;
    }

    private void Run(List<InferenceRequest> batch)
    {
        var model = batch[0].Model;
        var started = Stopwatch.GetTimestamp();
        foreach (var request in batch)
        {
            metrics.QueueWait.Observe(Stopwatch.GetElapsedTime(request.Enqueued, started).TotalSeconds);
        }

        try
        {
            var labels = model.Model.Labels.Count;
            float[] scores;
            using (NewDisposeScope())
            {
                var faces = batch.Count == 1 ? batch[0].Faces : cat(batch.Select(r => r.Faces).ToList(), 0);
                scores = Score(model, faces);
            }

            var total = scores.Length / labels;
            metrics.InferenceTime.Observe(Stopwatch.GetElapsedTime(started).TotalSeconds);
            metrics.BatchSize.Observe(total);
            metrics.FacesClassified.WithLabels(model.Name, model.Version.ToString(System.Globalization.CultureInfo.InvariantCulture)).Inc(total);

            var offset = 0;
            foreach (var request in batch)
            {
                var rows = new float[request.Count][];
                for (var i = 0; i < rows.Length; i++)
                {
                    rows[i] = scores.AsSpan((offset + i) * labels, labels).ToArray();
                }

                offset += request.Count;
                request.Completion.TrySetResult(new InferenceResult(model, rows));
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            LogBatchFailed(e, batch.Count, model.ToString());
            foreach (var request in batch)
            {
                request.Completion.TrySetException(e);
            }
        }
    }

    // A request with more faces than a batch holds runs in several passes.
    private float[] Score(ServingModel model, Tensor faces)
    {
        var count = faces.shape[0];
        var scores = new List<float>();
        for (long start = 0; start < count; start += _options.MaxBatchSize)
        {
            using var chunk = faces.narrow(0, start, Math.Min(_options.MaxBatchSize, count - start));
            using var probabilities = model.Model.Probabilities(chunk);
            scores.AddRange(probabilities.data<float>());
        }

        return scores.ToArray();
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Error, Message = "A batch of {Requests} requests failed on {Model}")]
    private partial void LogBatchFailed(Exception exception, int requests, string model);
}
