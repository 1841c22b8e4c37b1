using System.Diagnostics;
using System.Threading.Channels;
using ExpressionService.Operations;
using Microsoft.Extensions.Options;
using static TorchSharp.torch;

namespace ExpressionService.Classification;

/// <summary>Scores of the faces of one request, and the model version that produced them.</summary>
/// <param name="Model">The version that answered.</param>
/// <param name="Probabilities">Row per face, one probability per label of the model.</param>
public sealed record InferenceResult(ServingModel Model, float[][] Probabilities);

/// <summary>Why a request did not get its scores.</summary>
public enum InferenceRefusal
{
    /// <summary>The queue was full.</summary>
    QueueFull,

    /// <summary>The request waited longer than the queue timeout.</summary>
    TimedOut,
}

/// <summary>A request that could not be served; see <see cref="Refusal"/>.</summary>
public sealed class InferenceRefusedException(InferenceRefusal refusal, string message) : Exception(message)
{
    public InferenceRefusal Refusal { get; } = refusal;
}

/// <summary>
/// One request's faces waiting for the inference worker: uint8 crops [N, C, S, S] made for
/// <see cref="Model"/>, and the completion its handler awaits.
/// </summary>
public sealed class InferenceRequest
{
    private const int Waiting = 0;
    private const int Started = 1;
    private const int Abandoned = 2;

    private int _state;

    public InferenceRequest(ServingModel model, Tensor faces, CancellationToken aborted)
    {
        Model = model;
        Faces = faces;

        // Read once: the handler disposes the faces when it gives up, possibly while the worker still
        // holds the request, which must then count it without touching the tensor.
        Count = (int)faces.shape[0];
        Aborted = aborted;
        Enqueued = Stopwatch.GetTimestamp();
    }

    public ServingModel Model { get; }

    public Tensor Faces { get; }

    public int Count { get; }

    public long Enqueued { get; }

    public CancellationToken Aborted { get; }

    public TaskCompletionSource<InferenceResult> Completion { get; } =
        new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Claims the request for a batch; false when it was abandoned (its handler timed out or its
    /// client went away), in which case it is left out.
    /// </summary>
    public bool TryStart() => Interlocked.CompareExchange(ref _state, Started, Waiting) == Waiting;

    /// <summary>
    /// Marks the request as abandoned; false when a batch already has it or it was abandoned before.
    /// Exactly one of <see cref="TryStart"/> and <see cref="TryAbandon"/> succeeds.
    /// </summary>
    public bool TryAbandon() => Interlocked.CompareExchange(ref _state, Abandoned, Waiting) == Waiting;

    /// <summary>Whether the request has been abandoned, and so will not be answered by a batch.</summary>
    public bool IsAbandoned => Volatile.Read(ref _state) == Abandoned;
}

/// <summary>
/// The bounded queue between /classify handlers and the inference worker. Handlers preprocess in
/// parallel and post their faces here; the worker drains it in batches.
/// </summary>
public sealed class InferenceQueue
{
    private readonly Channel<InferenceRequest> _channel;
    private readonly BatchingOptions _options;
    private readonly ServiceMetrics _metrics;
    private int _depth;

    public InferenceQueue(IOptions<BatchingOptions> options, ServiceMetrics metrics)
    {
        _options = options.Value;
        _metrics = metrics;

        // Wait mode, never a drop mode: a request that got in is answered. Writers only ever call
        // TryWrite, which fails at capacity, so a full queue turns the next request away with 429
        // instead of stalling its handler or silently losing queued work.
        _channel = Channel.CreateBounded<InferenceRequest>(new BoundedChannelOptions(_options.MaxQueueSize)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = false,
        });
    }

    public ChannelReader<InferenceRequest> Reader => _channel.Reader;

    /// <summary>Requests waiting, not counting those abandoned by their handlers.</summary>
    public int Depth => Volatile.Read(ref _depth);

    /// <summary>
    /// Queues the faces of a request and waits for their scores.
    /// </summary>
    /// <exception cref="InferenceRefusedException">The queue is full, or the wait outlasted the queue timeout.</exception>
    /// <exception cref="OperationCanceledException">The client went away.</exception>
    public async Task<InferenceResult> ScoreAsync(ServingModel model, Tensor faces, CancellationToken aborted)
    {
        var request = new InferenceRequest(model, faces, aborted);

        // Counted before it is written: the worker may claim it, and count it out, at once.
        ChangeDepth(1);
        if (!_channel.Writer.TryWrite(request))
        {
            ChangeDepth(-1);
            _metrics.Rejected.WithLabels("queue_full").Inc();
            throw new InferenceRefusedException(InferenceRefusal.QueueFull, "The inference queue is full.");
        }

        try
        {
            return await request.Completion.Task.WaitAsync(_options.QueueTimeout, aborted);
        }
        catch (TimeoutException) when (TryAbandon(request, "timeout"))
        {
            throw new InferenceRefusedException(
                InferenceRefusal.TimedOut, $"No result within the queue timeout of {_options.QueueTimeout.TotalSeconds:0.###} s.");
        }
        catch (OperationCanceledException) when (TryAbandon(request, "client_gone"))
        {
            throw;
        }
        catch (Exception e) when (e is TimeoutException or OperationCanceledException)
        {
            // The worker settled the request first: a batch has it and its result is moments away,
            // or the worker saw the client leave and cancelled it.
            return await request.Completion.Task;
        }
    }

    /// <summary>
    /// Gives up on a request that no batch has claimed yet, counting why; false when a batch has it or
    /// it was given up on before.
    /// </summary>
    internal bool TryAbandon(InferenceRequest request, string reason)
    {
        if (!request.TryAbandon())
        {
            return false;
        }

        ChangeDepth(-1);
        _metrics.Rejected.WithLabels(reason).Inc();
        return true;
    }

    /// <summary>Called by the worker for each request it claims for a batch.</summary>
    internal void Dequeued() => ChangeDepth(-1);

    private void ChangeDepth(int change) => _metrics.QueueDepth.Set(Interlocked.Add(ref _depth, change));
}
