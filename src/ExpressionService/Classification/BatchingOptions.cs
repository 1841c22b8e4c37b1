using System.ComponentModel.DataAnnotations;

namespace ExpressionService.Classification;

/// <summary>How /classify requests are queued and batched for the model.</summary>
public sealed class BatchingOptions
{
    public const string Section = "Batching";

    /// <summary>Most faces in one forward pass.</summary>
    [Range(1, 1024)]
    public int MaxBatchSize { get; set; } = 32;

    /// <summary>How long the worker waits, after the first request of a batch arrived, for more to join it.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:05")]
    public TimeSpan MaxBatchDelay { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>Requests waiting for the model before new ones are turned away with 429.</summary>
    [Range(1, 1_000_000)]
    public int MaxQueueSize { get; set; } = 256;

    /// <summary>How long a request may wait for its result before it gives up with 503.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan QueueTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The device the model runs on: auto (CUDA when present), cpu, cuda or cuda:N.</summary>
    [Required]
    public string Device { get; set; } = "auto";
}
