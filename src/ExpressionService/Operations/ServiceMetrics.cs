using Prometheus;

namespace ExpressionService.Operations;

/// <summary>
/// The service's Prometheus metrics, in a registry of its own (one per host, so that hosts started
/// side by side in one process do not mix their counts), exported at <c>/metrics</c>.
/// </summary>
public sealed class ServiceMetrics
{
    public ServiceMetrics()
    {
        Registry = Metrics.NewCustomRegistry();
        DotNetStats.Register(Registry);
        Factory = Metrics.WithCustomRegistry(Registry);

        QueueDepth = Factory.CreateGauge(
            "expression_queue_depth", "Requests waiting for the inference worker.");
        QueueWait = Factory.CreateHistogram(
            "expression_queue_wait_seconds", "Time from a request entering the queue to its batch starting.",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.0005, 2, 16) });
        InferenceTime = Factory.CreateHistogram(
            "expression_inference_seconds", "Time of one batched forward pass.",
            new HistogramConfiguration { Buckets = Histogram.ExponentialBuckets(0.0005, 2, 16) });
        BatchSize = Factory.CreateHistogram(
            "expression_batch_size", "Faces per forward pass.",
            new HistogramConfiguration { Buckets = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024] });
        FacesClassified = Factory.CreateCounter(
            "expression_faces_classified_total", "Faces classified.", new CounterConfiguration { LabelNames = ["model", "version"] });
        Rejected = Factory.CreateCounter(
            "expression_requests_rejected_total", "Requests turned away before inference, by reason.",
            new CounterConfiguration { LabelNames = ["reason"] });
    }

    /// <summary>The registry <c>/metrics</c> exports.</summary>
    public CollectorRegistry Registry { get; }

    /// <summary>Creates further metrics in <see cref="Registry"/>.</summary>
    public IMetricFactory Factory { get; }

    public Gauge QueueDepth { get; }

    public Histogram QueueWait { get; }

    public Histogram InferenceTime { get; }

    public Histogram BatchSize { get; }

    public Counter FacesClassified { get; }

    public Counter Rejected { get; }
}
