using System.Collections.Concurrent;
using System.Net;
using ExpressionService.Registry;

namespace ExpressionService.Tests;

/// <summary>
/// The model registry over HTTP: promotion under load, refusal of a damaged version, rollback, the
/// API key on state-changing calls, and the job spec checks that run before anything is queued.
/// </summary>
public sealed class RegistryTests : IDisposable
{
    private const int Clients = 32;

    private readonly JobServiceState _state = new();

    public void Dispose() => _state.Dispose();

    [Fact]
    public async Task PromotingWhile32ClientsClassifyFailsNoRequestAndEveryAnswerNamesTheOldOrNewVersion()
    {
        await using var host = _state.NewHost();
        using var client = await host.CreateReadyClientAsync();
        var version = new ModelRegistry(_state.RegistryRoot).Publish("default", ServiceFactory.SeedModel);
        Assert.Equal(2, version);

        var answered = new ConcurrentBag<int>();
        var failures = new ConcurrentBag<string>();
        using var stop = new CancellationTokenSource();
        var load = Enumerable.Range(0, Clients).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var response = await client.PostFaceCropAsync();
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    failures.Add($"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                    continue;
                }

                answered.Add((await Requests.ReadAnswerAsync(response)).Model.Version);
            }
        })).ToList();

        await Poll.UntilAsync(() => answered.Count >= 50, TimeSpan.FromSeconds(60), "50 answers before the promotion");
        using (var promote = await client.PostWithKeyAsync("/models/default/versions/2/promote"))
        {
            Assert.True(promote.IsSuccessStatusCode, await promote.Content.ReadAsStringAsync());
        }

        var before = answered.Count;
        await Poll.UntilAsync(() => answered.Count >= before + 50, TimeSpan.FromSeconds(60), "50 answers after the promotion");
        await stop.CancelAsync();
        await Task.WhenAll(load);

        Assert.Empty(failures);
        Assert.All(answered, v => Assert.InRange(v, 1, 2));
        Assert.Contains(1, answered);
        Assert.Contains(2, answered);
        Assert.Equal(new ModelVersionRef("default", 2), new ModelRegistry(_state.RegistryRoot).Aliases().Production);
    }

    [Fact]
    public async Task VersionWithDamagedWeightsIsRefusedAndTheOldModelKeepsServing()
    {
        await using var host = _state.NewHost();
        using var client = await host.CreateReadyClientAsync();
        var registry = new ModelRegistry(_state.RegistryRoot);
        var version = registry.Publish("default", ServiceFactory.SeedModel);
        var weights = Path.Combine(registry.VersionFolder("default", version), "model.weights");
        var bytes = File.ReadAllBytes(weights);
        bytes[bytes.Length / 2] ^= 0x5A;
        File.WriteAllBytes(weights, bytes);

        using var promote = await client.PostWithKeyAsync($"/models/default/versions/{version}/promote");

        var problem = await Requests.ReadProblemAsync(promote, HttpStatusCode.UnprocessableEntity);
        Assert.Contains("keeps serving", problem.Detail, StringComparison.Ordinal);
        using var response = await client.PostFaceCropAsync();
        Assert.Equal(new("default", 1), (await Requests.ReadAnswerAsync(response)).Model);
        Assert.Equal(new ModelVersionRef("default", 1), registry.Aliases().Production);
    }

    [Fact]
    public async Task RollbackPutsThePreviousVersionBackInService()
    {
        await using var host = _state.NewHost();
        using var client = await host.CreateReadyClientAsync();
        var version = new ModelRegistry(_state.RegistryRoot).Publish("default", ServiceFactory.SeedModel);
        using (var promote = await client.PostWithKeyAsync($"/models/default/versions/{version}/promote"))
        {
            Assert.True(promote.IsSuccessStatusCode, await promote.Content.ReadAsStringAsync());
        }

        using var rollback = await client.PostWithKeyAsync("/models/default/rollback");

        Assert.True(rollback.IsSuccessStatusCode, await rollback.Content.ReadAsStringAsync());
        using var response = await client.PostFaceCropAsync();
        Assert.Equal(new("default", 1), (await Requests.ReadAnswerAsync(response)).Model);
    }

    [Theory]
    [InlineData("/models/default/versions/1/promote")]
    [InlineData("/models/default/rollback")]
    [InlineData("/jobs/1/cancel")]
    public async Task StateChangingCallsNeedAValidApiKey(string path)
    {
        await using var host = _state.NewHost();
        using var client = await host.CreateReadyClientAsync();

        using var without = await client.PostWithKeyAsync(path, apiKey: null);
        using var wrong = await client.PostWithKeyAsync(path, apiKey: "not-the-key");
        using var submitWithout = await client.SubmitAsync("{}", apiKey: null);

        await Requests.ReadProblemAsync(without, HttpStatusCode.Unauthorized);
        await Requests.ReadProblemAsync(wrong, HttpStatusCode.Forbidden);
        await Requests.ReadProblemAsync(submitWithout, HttpStatusCode.Unauthorized);
        using var reads = await client.GetAsync("/models");
        Assert.Equal(HttpStatusCode.OK, reads.StatusCode);
    }

    [Theory]
    [InlineData("""{ "dataset": { "path": "../frl-london" } }""", "dataset.path")]
    [InlineData("""{ "dataset": { "path": "/etc" } }""", "dataset.path")]
    [InlineData("""{ "dataset": { "path": "no-such-set" } }""", "dataset.path")]
    [InlineData("""{ "dataset": { "path": "frl-london", "train": "../fer2013" } }""", "dataset.train")]
    [InlineData("""{ "dataset": { "path": "frl-london" }, "modelName": "Bad Name!" }""", "modelName")]
    [InlineData("""{ "dataset": { "path": "frl-london" }, "training": { "stage2": { "batchSize": 0 } } }""", "training.stage2.batchSize")]
    [InlineData("""{ "dataset": { "path": "frl-london", "labels": ["happy"] } }""", "dataset")]
    public async Task BadJobSpecIsRefusedWith400NamingTheField(string spec, string field)
    {
        await using var host = _state.NewHost();
        using var client = await host.CreateReadyClientAsync();

        using var response = await client.SubmitAsync(spec);

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains($"\"{field}\"", body, StringComparison.Ordinal);
        using var jobs = await client.GetAsync("/jobs");
        Assert.Contains("\"total\":0", await jobs.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DataSetReachedThroughASymbolicLinkOutOfTheDataRootIsRefused()
    {
        var dataRoot = Directory.CreateDirectory(Path.Combine(_state.Folder, "datasets")).FullName;
        Directory.CreateSymbolicLink(Path.Combine(dataRoot, "escape"), Path.Combine(ExpressionNet.Tests.SharedData.Root, "frl-london"));
        await using var host = _state.NewHost().With("Jobs:DataRoot", dataRoot);
        using var client = await host.CreateReadyClientAsync();

        using var response = await client.SubmitAsync("""{ "dataset": { "path": "escape" } }""");

        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {body}");
        Assert.Contains("\"dataset.path\"", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MalformedJobBodyIsRefusedWith400()
    {
        await using var host = _state.NewHost();
        using var client = await host.CreateReadyClientAsync();

        using var response = await client.SubmitAsync("{ not json");

        await Requests.ReadProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task RetriedSubmissionWithTheSameIdempotencyKeyReturnsTheSameJob()
    {
        await using var host = _state.NewHost().With("Jobs:RunnerEnabled", false);
        using var client = await host.CreateReadyClientAsync();
        var spec = JobRequests.TinyFrlSpec("frl");

        using var first = await client.SubmitAsync(spec, idempotencyKey: "retry-1");
        using var second = await client.SubmitAsync(spec, idempotencyKey: "retry-1");

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(first.Headers.Location, second.Headers.Location);
        using var jobs = await client.GetAsync("/jobs");
        Assert.Contains("\"total\":1", await jobs.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
