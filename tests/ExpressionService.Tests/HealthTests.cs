using System.Net;
using System.Text.Json;
using ExpressionNet.Checkpoints;
using ExpressionService.Registry;

namespace ExpressionService.Tests;

public sealed class HealthTests
{
    [Fact]
    public async Task LivenessAnswers200WithoutWaitingForTheModel()
    {
        await using var factory = new ServiceFactory();
        using var client = factory.CreateClient();

        using var live = await client.GetAsync("/health/live");

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }

    [Fact]
    public async Task ReadinessAnswers200OnceTheSeededModelIsInService()
    {
        await using var factory = new ServiceFactory();
        using var client = await factory.CreateReadyClientAsync();

        using var ready = await client.GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        using var report = JsonDocument.Parse(await ready.Content.ReadAsStringAsync());
        Assert.Equal("Healthy", report.RootElement.GetProperty("status").GetString());
        Assert.Equal("Healthy", report.RootElement.GetProperty("checks").GetProperty("model").GetProperty("status").GetString());
        Assert.Equal(new ModelVersionRef("default", 1), new ModelRegistry(factory.RegistryRoot).Aliases().Production);
    }

    [Theory]
    [InlineData("weights cut short")]
    [InlineData("weights altered")]
    [InlineData("metadata not JSON")]
    [InlineData("production version missing")]
    [InlineData("aliases not JSON")]
    public async Task UnloadableProductionModelLeavesTheServiceLiveButNotReady(string damage)
    {
        await using var factory = new ServiceFactory();
        var registry = new ModelRegistry(factory.RegistryRoot);
        var version = registry.Publish("default", ServiceFactory.SeedModel);
        registry.Promote(new ModelVersionRef("default", version));
        Damage(registry, registry.VersionFolder("default", version), damage);
        await factory.WaitForStartupAsync();
        using var client = factory.CreateClient();
        using var form = Requests.Images(("portrait.jpg", TestImages.Portrait("happy/001.jpg")));

        using var live = await client.GetAsync("/health/live");
        using var ready = await client.GetAsync("/health/ready");
        using var classify = await client.PostAsync("/classify", form);

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        await Requests.ReadProblemAsync(classify, HttpStatusCode.ServiceUnavailable);
    }

    private static void Damage(ModelRegistry registry, string versionFolder, string damage)
    {
        var weights = Path.Combine(versionFolder, ModelCheckpoint.WeightsFile);
        switch (damage)
        {
            case "weights cut short":
                File.WriteAllBytes(weights, File.ReadAllBytes(weights)[..4096]);
                break;
            case "weights altered":
                var bytes = File.ReadAllBytes(weights);
                bytes[bytes.Length / 2] ^= 0xFF;
                File.WriteAllBytes(weights, bytes);
                break;
            case "metadata not JSON":
                File.WriteAllText(Path.Combine(versionFolder, ModelCheckpoint.MetadataFile), "{ not json");
                break;
            case "production version missing":
                registry.Promote(new ModelVersionRef("default", 7));
                break;
            case "aliases not JSON":
                File.WriteAllText(Path.Combine(registry.Root, "aliases.json"), "{ not json");
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(damage), damage, "Unknown damage.");
        }
    }
}
