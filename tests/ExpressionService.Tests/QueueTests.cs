using System.Net;

namespace ExpressionService.Tests;

/// <summary>The inference queue under load: full, timed out, abandoned by its client, and shared by many.</summary>
public sealed class QueueTests
{
    private const string Rejected = "expression_requests_rejected_total";

    // Long enough that a lone face waits in its batch until the test has done its part.
    private static readonly TimeSpan LongBatchDelay = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan MetricsTimeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task FullQueueTurnsRequestsAwayWith429AndRetryAfter()
    {
        const int Clients = 32;
        await using var factory = new ServiceFactory()
            .With("Batching:MaxQueueSize", 1)
            .With("Batching:MaxBatchSize", 1)
            .With("Limits:MaxConcurrentPreprocessing", Clients);
        using var client = await factory.CreateReadyClientAsync();

        var responses = await Task.WhenAll(Enumerable.Range(0, Clients).Select(_ => client.PostFaceCropAsync()));

        try
        {
            var turnedAway = responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
            Assert.NotEmpty(turnedAway);
            Assert.All(responses.Except(turnedAway), r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
            Assert.All(turnedAway, r => Assert.True(r.Headers.RetryAfter?.Delta > TimeSpan.Zero));
            await Requests.ReadProblemAsync(turnedAway[0], HttpStatusCode.TooManyRequests);
        }
        finally
        {
            Array.ForEach(responses, r => r.Dispose());
        }
    }

    [Fact]
    public async Task RequestThatOutwaitsTheQueueTimeoutIs503()
    {
        await using var factory = new ServiceFactory()
            .With("Batching:QueueTimeout", "00:00:00.010")
            .With("Batching:MaxBatchDelay", LongBatchDelay)
            .With("Batching:MaxBatchSize", 64);
        using var client = await factory.CreateReadyClientAsync();

        using var response = await client.PostFaceCropAsync();

        var problem = await Requests.ReadProblemAsync(response, HttpStatusCode.ServiceUnavailable);
        Assert.Contains("queue timeout", problem.Detail, StringComparison.Ordinal);
        var metrics = await MetricsScrape.ReadAsync(client);
        Assert.Equal(1, metrics.Sum(Rejected, ("reason", "timeout")));
    }

    [Fact]
    public async Task ClientThatLeavesWhileQueuedIsCountedAndTheServiceAnswersTheNext()
    {
        await using var factory = new ServiceFactory()
            .With("Batching:MaxBatchDelay", LongBatchDelay)
            .With("Batching:MaxBatchSize", 64);
        using var client = await factory.CreateReadyClientAsync();
        using var leaving = new CancellationTokenSource();
        var abandoned = client.PostFaceCropAsync(leaving.Token);
        await Poll.UntilAsync(
            async () => (await MetricsScrape.ReadAsync(client)).Sum("expression_queue_depth") == 1,
            MetricsTimeout,
            "the request to wait in the queue");

        await leaving.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);
        await Poll.UntilAsync(
            async () => (await MetricsScrape.ReadAsync(client)).Sum(Rejected, ("reason", "client_gone")) == 1,
            MetricsTimeout,
            "the departure to be counted");
        var metrics = await MetricsScrape.ReadAsync(client);
        Assert.Equal(0, metrics.Sum("expression_queue_depth"));
        using var next = await client.PostFaceCropAsync();
        Assert.Single(Assert.Single((await Requests.ReadAnswerAsync(next)).Images).Faces);
    }

    [Fact]
    public async Task ConcurrentClientsShareBatchesAndAreAllAnswered()
    {
        const int Clients = 64;
        const int RequestsPerClient = 3;
        await using var factory = new ServiceFactory().With("Batching:MaxBatchDelay", "00:00:00.020");
        using var client = await factory.CreateReadyClientAsync();

        var statuses = await Task.WhenAll(Enumerable.Range(0, Clients).Select(async _ =>
        {
            var seen = new List<HttpStatusCode>();
            for (var i = 0; i < RequestsPerClient; i++)
            {
                using var response = await client.PostFaceCropAsync();
                seen.Add(response.StatusCode);
            }

            return seen;
        }));

        var answered = statuses.SelectMany(s => s).ToList();
        Assert.All(answered, s => Assert.True(s is HttpStatusCode.OK or HttpStatusCode.TooManyRequests, $"{s}"));
        var metrics = await MetricsScrape.ReadAsync(client);
        var batches = metrics.Sum("expression_batch_size_count");
        var singleFaceBatches = metrics.Sum("expression_batch_size_bucket", ("le", "1"));
        Assert.True(batches > singleFaceBatches, $"All {batches} batches held one face.");
        Assert.Equal(answered.Count(s => s == HttpStatusCode.OK), metrics.Sum("expression_faces_classified_total"));
    }
}
