using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using ExpressionService.Operations;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ExpressionService.Jobs;

/// <summary>Maps <c>/jobs</c>: submit, list, inspect, follow and cancel training jobs.</summary>
public static class JobEndpoints
{
    private const int MaxPageSize = 100;

    public static IEndpointRouteBuilder MapJobs(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/jobs").WithTags("Jobs");

        group.MapPost("", SubmitAsync)
            .WithName("SubmitJob")
            .WithSummary("Submit a training job; it is validated in full, queued, and answered with 202 and its location.")
            .WithDescription("An Idempotency-Key header makes a retried submission return the job the first one created.")
            .Accepts<JobSpec>("application/json")
            .RequireApiKey();
        group.MapGet("", List)
            .WithName("ListJobs")
            .WithSummary("List jobs, newest first, a page at a time, optionally in one state.")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        group.MapGet("/{id}", Get)
            .WithName("GetJob")
            .WithSummary("Get a job: state, stage, progress, transitions, per-epoch metrics, outcome.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{id}/logs", Logs)
            .WithName("GetJobLogs")
            .WithSummary("Get a job's own log lines.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/{id}/events", Events)
            .WithName("FollowJob")
            .WithSummary("Follow a job as server-sent events (state, progress, epoch, log) until it finishes.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{id}/cancel", Cancel)
            .WithName("CancelJob")
            .WithSummary("Cancel a job: a queued one at once, a running one at its next step, keeping its last checkpoint.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .RequireApiKey();

        return app;
    }

    internal static async Task<Results<Accepted<Job>, ValidationProblem, ProblemHttpResult>> SubmitAsync(
        HttpRequest request, JobStore store, JobValidator validator, JobSignal signal, CancellationToken cancellationToken)
    {
        JobSpec? spec;
        try
        {
            spec = await JsonSerializer.DeserializeAsync<JobSpec>(request.Body, JsonSerializerOptions.Web, cancellationToken);
        }
        catch (JsonException e)
        {
            return Problems.Create(StatusCodes.Status400BadRequest, "Malformed job spec", $"The body is not a valid job spec: {e.Message}");
        }

        if (spec is null)
        {
            return Problems.Create(StatusCodes.Status400BadRequest, "Malformed job spec", "The body is empty; send a JSON job spec ({} for all defaults).");
        }

        var errors = validator.Validate(spec);
        if (errors.Count > 0)
        {
            return Problems.Invalid(errors, "The job spec has invalid fields; nothing was queued.");
        }

        var key = request.Headers["Idempotency-Key"].ToString();
        var job = store.Create(spec, key.Length == 0 ? null : key, out var created);
        if (created)
        {
            signal.Notify();
        }

        return TypedResults.Accepted($"/jobs/{job.Id}", job);
    }

    /// <param name="store">The job store.</param>
    /// <param name="state">Only jobs in this state.</param>
    /// <param name="page">The page, from 1 (the default).</param>
    /// <param name="pageSize">Jobs per page, 1 to 100 (20 by default).</param>
    internal static Results<Ok<JobPage>, ProblemHttpResult> List(JobStore store, JobState? state, int? page, int? pageSize)
    {
        var number = page ?? 1;
        var size = pageSize ?? 20;
        if (number < 1 || size < 1 || size > MaxPageSize)
        {
            return Problems.Create(StatusCodes.Status400BadRequest, "Bad paging",
                $"page must be 1 or more and pageSize between 1 and {MaxPageSize}.");
        }

        return TypedResults.Ok(store.List(state, number, size));
    }

    /// <param name="id">The job's id, as returned when it was submitted.</param>
    /// <param name="store">The job store.</param>
    internal static Results<Ok<Job>, ProblemHttpResult> Get(string id, JobStore store) =>
        store.Get(id) is { } job ? TypedResults.Ok(job) : NotFound(id);

    /// <param name="id">The job's id, as returned when it was submitted.</param>
    /// <param name="store">The job store.</param>
    internal static Results<Ok<IReadOnlyList<JobLogLine>>, ProblemHttpResult> Logs(string id, JobStore store) =>
        store.StateOf(id) is null ? NotFound(id) : TypedResults.Ok(store.Logs(id));

    /// <param name="id">The job's id, as returned when it was submitted.</param>
    /// <param name="store">The job store.</param>
    /// <param name="events">The live events of running jobs.</param>
    /// <param name="cancellationToken">Cancelled when the client goes away.</param>
    internal static Results<ServerSentEventsResult<JobEvent>, ProblemHttpResult> Events(
        string id, JobStore store, JobEvents events, CancellationToken cancellationToken)
    {
        // Subscribe before reading the snapshot so that nothing between the two is missed.
        var subscription = events.Subscribe(id);
        var job = store.Get(id);
        if (job is null)
        {
            subscription.Dispose();
            return NotFound(id);
        }

        return TypedResults.ServerSentEvents(Stream(job, subscription, store, cancellationToken));
    }

    /// <param name="id">The job's id, as returned when it was submitted.</param>
    /// <param name="store">The job store.</param>
    /// <param name="services">The services, for the job runner where this instance has one.</param>
    internal static Results<Accepted<Job>, ProblemHttpResult> Cancel(string id, JobStore store, IServiceProvider services)
    {
        var job = store.RequestCancel(id);
        if (job is null)
        {
            return NotFound(id);
        }

        if (job.IsFinished && job.State != JobState.Cancelled)
        {
            return Problems.Create(StatusCodes.Status409Conflict, "Job already finished", $"Job {id} has {job.State.ToString().ToLowerInvariant()}.");
        }

        if (job.State == JobState.Cancelling)
        {
            services.GetService<JobRunner>()?.Cancel(id);
        }

        return TypedResults.Accepted($"/jobs/{id}", job);
    }

    private static async IAsyncEnumerable<SseItem<JobEvent>> Stream(
        Job job, JobEvents.Subscription subscription, JobStore store, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using (subscription)
        {
            yield return new SseItem<JobEvent>(new JobEvent("state", job.State, job.Stage, job.Progress, Message: job.Failure), "state");
            if (job.IsFinished)
            {
                yield break;
            }

            while (true)
            {
                var next = await NextAsync(subscription, cancellationToken);
                if (next is null)
                {
                    // Nothing for a while: the job may have finished in another replica.
                    if (store.Get(job.Id) is { IsFinished: true } finished)
                    {
                        yield return new SseItem<JobEvent>(new JobEvent("state", finished.State, Message: finished.Failure), "state");
                        yield break;
                    }

                    continue;
                }

                yield return new SseItem<JobEvent>(next, next.Type);
                if (next.Type == "state" && next.State is JobState.Succeeded or JobState.Failed or JobState.Cancelled)
                {
                    yield break;
                }
            }
        }
    }

    // The next event, or null when none came for a few seconds.
    private static async Task<JobEvent?> NextAsync(JobEvents.Subscription subscription, CancellationToken cancellationToken)
    {
        using var poll = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        poll.CancelAfter(TimeSpan.FromSeconds(5));
        try
        {
            return await subscription.Reader.ReadAsync(poll.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    private static ProblemHttpResult NotFound(string id) =>
        Problems.Create(StatusCodes.Status404NotFound, "No such job", $"There is no job '{id}'.");
}
