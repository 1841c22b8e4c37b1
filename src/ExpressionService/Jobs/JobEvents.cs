using System.Collections.Concurrent;
using System.Threading.Channels;
using ExpressionNet.Training;

namespace ExpressionService.Jobs;

/// <summary>Something that happened to a job, as sent to <c>/jobs/{id}/events</c> listeners.</summary>
/// <param name="Type">state, progress, epoch or log.</param>
/// <param name="State">The job's state, for state events.</param>
/// <param name="Stage">The job's stage, for state and progress events.</param>
/// <param name="Progress">For progress events.</param>
/// <param name="Epoch">For epoch events.</param>
/// <param name="Message">For log events, and the failure reason of a failed state.</param>
public sealed record JobEvent(
    string Type, JobState? State = null, JobStage? Stage = null, JobProgress? Progress = null,
    EpochResult? Epoch = null, string? Message = null);

/// <summary>
/// Fans a job's events out to its live listeners. Each listener has a small bounded buffer that
/// drops its oldest events when the listener falls behind: progress is a stream of snapshots, so
/// a slow client loses intermediate ones rather than slowing the job down.
/// </summary>
public sealed class JobEvents
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<Channel<JobEvent>, byte>> _listeners = new();

    /// <summary>Starts listening to a job; dispose the subscription to stop.</summary>
    public Subscription Subscribe(string jobId)
    {
        var channel = Channel.CreateBounded<JobEvent>(new BoundedChannelOptions(256)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        _listeners.GetOrAdd(jobId, _ => new()).TryAdd(channel, 0);
        return new Subscription(this, jobId, channel);
    }

    /// <summary>Sends an event to the job's listeners.</summary>
    public void Publish(string jobId, JobEvent jobEvent)
    {
        if (_listeners.TryGetValue(jobId, out var listeners))
        {
            foreach (var channel in listeners.Keys)
            {
                channel.Writer.TryWrite(jobEvent);
            }
        }
    }

    /// <summary>A listener's stream of a job's events.</summary>
    public sealed class Subscription(JobEvents events, string jobId, Channel<JobEvent> channel) : IDisposable
    {
        public ChannelReader<JobEvent> Reader => channel.Reader;

        public void Dispose()
        {
            if (events._listeners.TryGetValue(jobId, out var listeners))
            {
                listeners.TryRemove(channel, out _);
            }
        }
    }
}
