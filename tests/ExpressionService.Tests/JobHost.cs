using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ExpressionNet.Tests;
using ExpressionService.Jobs;

namespace ExpressionService.Tests;

/// <summary>
/// The state a training service keeps on disk (job database, job work folders, registry), in a
/// temporary folder that several hosts in turn can share, as a restarted process does.
/// </summary>
public sealed class JobServiceState : IDisposable
{
    public const string ApiKey = "test-key-0123456789";

    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "expressionservice-jobs", Guid.NewGuid().ToString("N"));

    public string RegistryRoot => Path.Combine(Folder, "registry");

    /// <summary>A host on this state that runs jobs over the shared data folder and accepts <see cref="ApiKey"/>.</summary>
    public ServiceFactory NewHost() => new ServiceFactory()
        .With("Registry:Root", RegistryRoot)
        .With("Jobs:Database", Path.Combine(Folder, "jobs.db"))
        .With("Jobs:WorkRoot", Path.Combine(Folder, "work"))
        .With("Jobs:DataRoot", SharedData.Root)
        .With("Auth:ApiKeys:0", ApiKey);

    public void Dispose()
    {
        if (Directory.Exists(Folder))
        {
            Directory.Delete(Folder, recursive: true);
        }
    }
}

/// <summary>Submits and follows training jobs over HTTP.</summary>
public static class JobRequests
{
    /// <summary>The longest a tiny job on the FRL portraits may take on a busy 2-core machine.</summary>
    public static readonly TimeSpan JobTimeout = TimeSpan.FromMinutes(8);

    /// <summary>
    /// A tiny two-stage job on the FRL London portraits: small nets, few epochs, faces found by the
    /// detector, people kept apart by the subject number in the file names.
    /// </summary>
    public static string TinyFrlSpec(string modelName, int stage2Epochs = 3, bool promote = false) =>
        $$"""
        {
          "dataset": { "path": "frl-london", "subjectPattern": "^(\\d+)" },
          "training": {
            "detectFaces": true,
            "model": { "inputSize": 32, "widths": [16, 32, 64, 64, 64], "batchNorm": true, "hiddenUnits": 32 },
            "faceNet": { "inputSize": 96, "trainableBlocks": 1, "stage": { "epochs": 1, "batchSize": 16 } },
            "stage1": { "epochs": 1, "batchSize": 16 },
            "stage2": { "epochs": {{stage2Epochs}}, "batchSize": 16 }
          },
          "modelName": "{{modelName}}",
          "promote": {{(promote ? "true" : "false")}}
        }
        """;

    public static async Task<HttpResponseMessage> SubmitAsync(
        this HttpClient client, string spec, string? apiKey = JobServiceState.ApiKey, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/jobs")
        {
            Content = new StringContent(spec, Encoding.UTF8, "application/json"),
        };
        if (apiKey is not null)
        {
            request.Headers.Add("X-Api-Key", apiKey);
        }

        if (idempotencyKey is not null)
        {
            request.Headers.Add("Idempotency-Key", idempotencyKey);
        }

        return await client.SendAsync(request);
    }

    /// <summary>Submits a job that must be accepted and returns it.</summary>
    public static async Task<Job> SubmitAcceptedAsync(this HttpClient client, string spec)
    {
        using var response = await client.SubmitAsync(spec);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"Expected 202, got {(int)response.StatusCode}: {body}");
        var job = JsonSerializer.Deserialize<Job>(body, JsonSerializerOptions.Web)!;
        Assert.Equal($"/jobs/{job.Id}", response.Headers.Location?.OriginalString);
        return job;
    }

    public static async Task<Job> GetJobAsync(this HttpClient client, string id) =>
        (await client.GetFromJsonAsync<Job>($"/jobs/{id}", JsonSerializerOptions.Web))!;

    /// <summary>Polls a job until the condition holds and returns it as it then was.</summary>
    public static async Task<Job> WaitForAsync(this HttpClient client, string id, Func<Job, bool> condition, string description)
    {
        Job? job = null;
        await Poll.UntilAsync(
            async () =>
            {
                job = await client.GetJobAsync(id);
                if (job.IsFinished && !condition(job))
                {
                    throw new InvalidOperationException(
                        $"Job {id} ended {job.State} ({job.Failure}) before {description}.");
                }

                return condition(job);
            },
            JobTimeout,
            $"job {id}: {description}");
        return job!;
    }

    /// <summary>POSTs to a state-changing endpoint with the API key.</summary>
    public static async Task<HttpResponseMessage> PostWithKeyAsync(this HttpClient client, string path, string? apiKey = JobServiceState.ApiKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path);
        if (apiKey is not null)
        {
            request.Headers.Add("X-Api-Key", apiKey);
        }

        return await client.SendAsync(request);
    }
}
