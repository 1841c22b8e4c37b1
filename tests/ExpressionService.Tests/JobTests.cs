using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ExpressionService.Jobs;
using ExpressionService.Registry;

namespace ExpressionService.Tests;

/// <summary>
/// Training jobs over HTTP, end to end on real portraits: submission, every stage, publication to
/// the registry, promotion, cancellation and a restart in the middle of a job.
/// </summary>
public sealed class JobTests : IDisposable
{
    private readonly JobServiceState _state = new();

    public void Dispose() => _state.Dispose();

    [Fact]
    public async Task JobRunsEveryStagePublishesAVersionWithItsReportAndServesOncePromoted()
    {
        await using var host = _state.NewHost();
        using var client = await host.CreateReadyClientAsync();

        var submitted = await client.SubmitAcceptedAsync(JobRequests.TinyFrlSpec("frl"));
        Assert.Equal(JobState.Queued, submitted.State);
        var job = await client.WaitForAsync(submitted.Id, j => j.IsFinished, "it finished");

        Assert.True(job.State == JobState.Succeeded, $"{job.State}: {job.Failure}");
        Assert.Equal(new ModelVersionRef("frl", 1), job.Published);
        var stages = job.Transitions.Select(t => t.Stage).OfType<JobStage>().Distinct().ToList();
        Assert.Equal(
            [JobStage.LoadingData, JobStage.FineTuningFaceNet, JobStage.Stage1, JobStage.Stage2, JobStage.Evaluating, JobStage.Publishing],
            stages);
        Assert.Contains(job.Epochs, e => e.Stage == ExpressionNet.Training.TrainingStage.Stage2);
        Assert.Equal(1.0, job.Progress!.FractionDone, 3);

        var version = Path.Combine(_state.RegistryRoot, "frl", "1");
        Assert.True(File.Exists(Path.Combine(version, "model.weights")));
        Assert.True(File.Exists(Path.Combine(version, "model.json")));
        Assert.True(File.Exists(Path.Combine(version, "report", "metrics.json")));
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(version, "report"), "*.png"));
        using (var plot = await client.GetAsync($"/models/frl/versions/1/report/{Path.GetFileName(Directory.GetFiles(Path.Combine(version, "report"), "*.png")[0])}"))
        {
            Assert.Equal("image/png", plot.Content.Headers.ContentType?.MediaType);
        }

        using (var logs = await client.GetAsync($"/jobs/{job.Id}/logs"))
        {
            Assert.Contains("Published frl v1", await logs.Content.ReadAsStringAsync());
        }

        using (var promote = await client.PostWithKeyAsync("/models/frl/versions/1/promote"))
        {
            Assert.True(promote.IsSuccessStatusCode, await promote.Content.ReadAsStringAsync());
        }

        using var form = Requests.Images(("happy.jpg", TestImages.Portrait("happy/003.jpg")));
        using var response = await client.PostAsync("/classify", form);
        var answer = await Requests.ReadAnswerAsync(response);
        Assert.Equal(new("frl", 1), answer.Model);
        var face = Assert.Single(Assert.Single(answer.Images).Faces);
        Assert.Equal(["happy", "neutral"], face.Scores.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task CancellingARunningJobStopsItAsCancelled()
    {
        await using var host = _state.NewHost();
        using var client = await host.CreateReadyClientAsync();
        var submitted = await client.SubmitAcceptedAsync(JobRequests.TinyFrlSpec("long", stage2Epochs: 500));
        await client.WaitForAsync(submitted.Id, j => j.Progress is { Stage: JobStage.Stage2 }, "it reached stage 2");

        using (var cancel = await client.PostWithKeyAsync($"/jobs/{submitted.Id}/cancel"))
        {
            Assert.Equal(HttpStatusCode.Accepted, cancel.StatusCode);
        }

        var job = await client.WaitForAsync(submitted.Id, j => j.IsFinished, "it finished");
        Assert.Equal(JobState.Cancelled, job.State);
        Assert.Contains(job.Transitions, t => t.State == JobState.Cancelling);
        Assert.Null(job.Published);
        Assert.False(Directory.Exists(Path.Combine(_state.RegistryRoot, "long")));
    }

    [Fact]
    public async Task JobInterruptedByAStopResumesInTheNextProcessAndSucceeds()
    {
        string id;
        await using (var first = _state.NewHost())
        {
            using var client = await first.CreateReadyClientAsync();
            id = (await client.SubmitAcceptedAsync(JobRequests.TinyFrlSpec("resumed", stage2Epochs: 40))).Id;
            await client.WaitForAsync(
                id, j => j.Epochs.Any(e => e.Stage == ExpressionNet.Training.TrainingStage.Stage2), "a stage-2 epoch finished");
        }

        await using var second = _state.NewHost();
        using var restarted = await second.CreateReadyClientAsync();
        var job = await restarted.WaitForAsync(id, j => j.IsFinished, "it finished after the restart");

        Assert.True(job.State == JobState.Succeeded, $"{job.State}: {job.Failure}");
        Assert.Equal(new ModelVersionRef("resumed", 1), job.Published);
        using var logs = await restarted.GetAsync($"/jobs/{id}/logs");
        var lines = await logs.Content.ReadFromJsonAsync<List<JobLogLine>>(JsonSerializerOptions.Web);
        Assert.Contains(lines!, l => l.Message.Contains("resum", StringComparison.OrdinalIgnoreCase));

        // Stage 2 picked up after its finished epochs instead of starting again: each epoch is recorded once.
        var stage2 = job.Epochs.Where(e => e.Stage == ExpressionNet.Training.TrainingStage.Stage2).Select(e => e.Epoch).ToList();
        Assert.Equal(Enumerable.Range(1, 40), stage2);
    }
}
