namespace Deployment.Tests;

/// <summary>docker-compose.yml validates, and uses the image's port, volumes, settings and health check.</summary>
[Collection(ServiceHost.Collection)]
public sealed class ComposeTests(ServiceHost host)
{
    private static readonly Dockerfile Image = Dockerfile.Load(Repository.PathOf("Dockerfile"));

    [Theory]
    [InlineData]
    [InlineData("gpu")]
    [InlineData("monitoring")]
    [InlineData("gpu", "monitoring")]
    public async Task ComposeFileValidatesWithEachProfile(params string[] profiles)
    {
        var result = await Compose.ValidateAsync(profiles);

        Assert.True(result.ExitCode == 0, $"docker-compose config -q failed: {result.Error}");
    }

    [Fact]
    public async Task ComposeRefusesToStartWithoutAnApiKey()
    {
        var empty = Path.GetTempFileName();
        try
        {
            var result = await Compose.RunAsync(empty, "config", "-q");

            Assert.NotEqual(0, result.ExitCode);
            Assert.Contains("EXPRESSION_API_KEY", result.Error, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(empty);
        }
    }

    [Fact]
    public void ExampleEnvFileSetsEveryVariableAndTheRealOneIsIgnored()
    {
        var example = File.ReadAllLines(Repository.PathOf(Compose.ExampleEnvFile))
            .Where(line => line.Contains('=', StringComparison.Ordinal) && !line.TrimStart().StartsWith('#'))
            .Select(line => line[..line.IndexOf('=', StringComparison.Ordinal)].Trim())
            .ToHashSet();

        Assert.DoesNotContain(Compose.VariablesOfTheComposeFile(), v => !example.Contains(v));
        Assert.Contains(".env", File.ReadAllLines(Repository.PathOf(".gitignore")));
        Assert.Contains(".env", File.ReadAllLines(Repository.PathOf(".dockerignore")));
    }

    [Theory]
    [InlineData("expression-service", "cpu")]
    [InlineData("expression-service-gpu", "cuda")]
    public async Task ServiceVariantUsesTheImagesPortVolumesSettingsAndHealthCheck(string name, string backend)
    {
        var compose = await Compose.ResolvedAsync();
        var service = compose.RequiredMap("services").RequiredMap(name);
        var volumes = service.Strings("volumes").Select(v => v.Split(':')).ToList();
        var settings = service.RequiredMap("environment");
        var imageSettings = Image.Environment().Where(e => settings.String(e.Key) is not null);

        Assert.Equal(backend, service.At("build", "args")?.String("TORCH_BACKEND"));
        Assert.Equal($"expression-service:{backend}", service.String("image"));
        Assert.Equal(Image.Last("EXPOSE"), service.Maps("ports").Single().String("target"));
        Assert.Equal(Image.Volumes.Order(), volumes.Select(v => v[1]).Order());
        Assert.Equal("ro", volumes.Single(v => v[1] == "/data/datasets")[2]);
        Assert.All(volumes.Where(v => v[1] != "/data/datasets"), v => Assert.Contains(v[0], compose.RequiredMap("volumes").Keys));
        Assert.Empty(settings.Keys.Select(ServiceSettings.Problem).OfType<string>());
        Assert.All(imageSettings, e => Assert.Equal(e.Value, settings.String(e.Key)));
        Assert.Equal(["CMD", .. Image.HealthCheck], service.RequiredMap("healthcheck").Strings("test"));
        Assert.Equal("unless-stopped", service.String("restart"));
    }

    [Fact]
    public async Task GpuVariantReservesOneNvidiaGpu()
    {
        var service = (await Compose.ServicesAsync()).RequiredMap("expression-service-gpu");
        var device = service.At("deploy", "resources", "reservations")!.Maps("devices").Single();

        Assert.Equal(["gpu"], service.Strings("profiles"));
        Assert.Equal("nvidia", device.String("driver"));
        Assert.Equal("1", device.String("count"));
        Assert.Equal(["gpu"], device.Strings("capabilities"));
        Assert.Contains("expression-service", service.At("networks", "default")!.Strings("aliases"));
    }

    [Fact]
    public async Task PrometheusScrapesTheServicesMetricsEndpoint()
    {
        var prometheus = (await Compose.ServicesAsync()).RequiredMap("prometheus");
        var scrape = YamlMap.Parse(Repository.ReadText("deploy/prometheus/prometheus.yml")).Maps("scrape_configs").Single();
        var path = scrape.Required("metrics_path");
        const string mount = "deploy/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro";

        Assert.Equal(["monitoring"], prometheus.Strings("profiles"));
        Assert.Contains(prometheus.Strings("volumes"), v => v.EndsWith(mount, StringComparison.Ordinal));
        Assert.True(host.Serves(path), $"The service has no endpoint {path}.");
        Assert.Equal([$"expression-service:{Image.Last("EXPOSE")}"], scrape.Maps("static_configs").Single().Strings("targets"));
    }
}
