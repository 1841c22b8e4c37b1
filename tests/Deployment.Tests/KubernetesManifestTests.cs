namespace Deployment.Tests;

/// <summary>
/// The manifests in deploy/k8s parse, and refer only to what exists: the image compose builds for
/// GPUs, its port and volumes, the service's settings and endpoints, and each other's names.
/// </summary>
[Collection(ServiceHost.Collection)]
public sealed class KubernetesManifestTests(ServiceHost host)
{
    private const string Folder = "deploy/k8s";
    private static readonly Dockerfile Image = Dockerfile.Load(Repository.PathOf("Dockerfile"));
    private static readonly IReadOnlyList<YamlMap> Manifests = Directory.EnumerateFiles(Repository.PathOf(Folder), "*.yaml")
        .Where(f => Path.GetFileName(f) != "kustomization.yaml")
        .SelectMany(f => YamlMap.ParseAll(File.ReadAllText(f)))
        .ToList();

    private static YamlMap Kustomization => YamlMap.Parse(Repository.ReadText($"{Folder}/kustomization.yaml"));

    private static YamlMap Serving => Resource("Deployment", "expression-serving");

    private static YamlMap Trainer => Resource("Deployment", "expression-trainer");

    private static IEnumerable<YamlMap> Deployments => Manifests.Where(m => m.String("kind") == "Deployment");

    [Fact]
    public void EveryManifestIsANamedResourceTheKustomizationLists()
    {
        var files = Directory.EnumerateFiles(Repository.PathOf(Folder), "*.yaml").Select(Path.GetFileName)
            .Where(f => f != "kustomization.yaml");

        Assert.All(Manifests, m =>
        {
            Assert.False(string.IsNullOrEmpty(m.String("apiVersion")));
            Assert.False(string.IsNullOrEmpty(m.String("kind")));
            Assert.False(string.IsNullOrEmpty(m.RequiredMap("metadata").String("name")));
        });
        Assert.Equal(files.Order(), Kustomization.Strings("resources").Order());
    }

    [Fact]
    public async Task ContainersRunTheImageComposeBuildsForGpus()
    {
        var gpu = (await Compose.ResolvedAsync()).RequiredMap("services").RequiredMap("expression-service-gpu").Required("image");
        var image = Kustomization.Maps("images").Single();

        Assert.Equal(gpu, $"{image.Required("newName")}:{image.Required("newTag")}");
        Assert.All(Deployments.SelectMany(AllContainers), c => Assert.Equal(image.Required("name"), c.Required("image")));
    }

    [Fact]
    public void ContainersListenOnThePortTheImageExposes()
    {
        Assert.All(Deployments.SelectMany(Containers), c =>
        {
            Assert.Equal(Image.Last("EXPOSE"), c.Maps("ports").Single().Required("containerPort"));
            Assert.Equal(Image.Environment()["ASPNETCORE_HTTP_PORTS"], Environment(c)["ASPNETCORE_HTTP_PORTS"]);
        });
    }

    [Fact]
    public void EveryVariableIsOneTheServiceReads()
    {
        var problems = Deployments.SelectMany(Containers).SelectMany(c => c.Maps("env"))
            .Select(e => ServiceSettings.Problem(e.Required("name")))
            .OfType<string>()
            .ToList();

        Assert.True(problems.Count == 0, string.Join(System.Environment.NewLine, problems));
    }

    [Fact]
    public void DataLivesOnTheImagesVolumesAndEachPathSettingOnAMount()
    {
        Assert.All(Deployments, deployment =>
        {
            var pod = deployment.At("spec", "template", "spec")!;
            var volumes = pod.Maps("volumes").Select(v => v.Required("name")).ToHashSet();
            foreach (var container in AllContainers(deployment))
            {
                var mounts = container.Maps("volumeMounts");
                Assert.All(mounts, m => Assert.Contains(m.Required("mountPath"), Image.Volumes));
                Assert.All(mounts, m => Assert.Contains(m.Required("name"), volumes));

                var paths = Environment(container).Where(e => e.Key is "Registry__Root" or "Jobs__Database" or "Jobs__WorkRoot" or "Jobs__DataRoot");
                Assert.All(paths, p => Assert.Contains(mounts, m => p.Value == m.Required("mountPath") || p.Value.StartsWith(m.Required("mountPath") + "/", StringComparison.Ordinal)));
            }

            var claims = pod.Maps("volumes").Select(v => v.Map("persistentVolumeClaim")?.String("claimName")).OfType<string>();
            Assert.All(claims, claim => Resource("PersistentVolumeClaim", claim));
        });
    }

    [Fact]
    public void ProbesCallTheServicesHealthEndpointsOnTheNamedPort()
    {
        Assert.All(Deployments.SelectMany(Containers), c =>
        {
            var port = c.Maps("ports").Single().Required("name");
            var readiness = c.At("readinessProbe", "httpGet")!;
            var liveness = c.At("livenessProbe", "httpGet")!;

            Assert.Equal("/health/ready", readiness.Required("path"));
            Assert.Equal("/health/live", liveness.Required("path"));
            Assert.True(host.Serves(readiness.Required("path")) && host.Serves(liveness.Required("path")), "The service has no such endpoint.");
            Assert.Equal(port, readiness.Required("port"));
            Assert.Equal(port, liveness.Required("port"));
        });
    }

    [Fact]
    public void ServingReplicasScaleOutOnOneGpuEachAndRunNoJobs()
    {
        var container = Containers(Serving).Single();

        Assert.True(int.Parse(Serving.At("spec")!.Required("replicas"), System.Globalization.CultureInfo.InvariantCulture) > 1);
        Assert.Equal("1", container.At("resources", "limits")!.Required("nvidia.com/gpu"));
        Assert.NotNull(container.At("resources", "requests")!.String("cpu"));
        Assert.NotNull(container.At("resources", "requests")!.String("memory"));
        Assert.Equal("false", Environment(container)["Jobs__RunnerEnabled"]);
        Assert.Equal("emptyDir", VolumeSource(Serving, "/data/jobs"));
    }

    [Fact]
    public void OneTrainerOwnsTheJobDatabaseAndSharesTheRegistry()
    {
        var container = Containers(Trainer).Single();
        var jobsClaim = Resource("PersistentVolumeClaim", ClaimAt(Trainer, "/data/jobs"));
        var registryClaim = Resource("PersistentVolumeClaim", ClaimAt(Trainer, "/data/registry"));

        Assert.Equal("1", Trainer.At("spec")!.Required("replicas"));
        Assert.Equal("Recreate", Trainer.At("spec", "strategy")!.Required("type"));
        Assert.Equal("true", Environment(container)["Jobs__RunnerEnabled"]);
        Assert.Equal(["ReadWriteOnce"], jobsClaim.At("spec")!.Strings("accessModes"));
        Assert.Equal(["ReadWriteMany"], registryClaim.At("spec")!.Strings("accessModes"));
        Assert.Equal(registryClaim.RequiredMap("metadata").Required("name"), ClaimAt(Serving, "/data/registry"));
        Assert.Equal("true", container.Maps("volumeMounts").Single(m => m.Required("mountPath") == "/data/datasets").String("readOnly"));
    }

    [Fact]
    public void ServicesSelectTheirPodsAndTheIngressSendsJobsToTheTrainer()
    {
        foreach (var service in Manifests.Where(m => m.String("kind") == "Service"))
        {
            var selector = service.At("spec", "selector")!;
            var pods = Deployments.Where(d => selector.Keys.All(k => d.At("spec", "template", "metadata", "labels")?.String(k) == selector.String(k))).ToList();
            Assert.Single(pods);
            Assert.All(service.At("spec")!.Maps("ports"), p => Assert.Equal(Containers(pods[0]).Single().Maps("ports").Single().Required("name"), p.Required("targetPort")));
        }

        var paths = Resource("Ingress", "expression-service").At("spec")!.Maps("rules").Single().At("http")!.Maps("paths");
        Assert.All(paths, p =>
        {
            var backend = p.At("backend", "service")!;
            var service = Resource("Service", backend.Required("name"));
            Assert.Contains(backend.At("port")!.Required("name"), service.At("spec")!.Maps("ports").Select(q => q.Required("name")));
            Assert.Contains(host.Routes, r => r.StartsWith(p.Required("path"), StringComparison.Ordinal));
        });
        Assert.Equal("expression-trainer", paths.Single(p => p.Required("path") == "/jobs").At("backend", "service")!.Required("name"));
    }

    [Fact]
    public void TheApiKeySecretTheDeploymentsReadIsOneTheReadmeCreates()
    {
        var secrets = Deployments.SelectMany(Containers).SelectMany(c => c.Maps("env"))
            .Select(e => e.At("valueFrom", "secretKeyRef")).OfType<YamlMap>()
            .Select(s => (Name: s.Required("name"), Key: s.Required("key")))
            .Distinct()
            .ToList();
        var readme = Repository.ReadText("deploy/README.md");

        var secret = Assert.Single(secrets);
        Assert.Contains($"kubectl create secret generic {secret.Name} --from-literal={secret.Key}=", readme, StringComparison.Ordinal);
    }

    private static YamlMap Resource(string kind, string name) =>
        Manifests.SingleOrDefault(m => m.String("kind") == kind && m.RequiredMap("metadata").String("name") == name)
        ?? throw new Xunit.Sdk.XunitException($"deploy/k8s has no {kind} named {name}.");

    private static IEnumerable<YamlMap> Containers(YamlMap deployment) => deployment.At("spec", "template", "spec")!.Maps("containers");

    private static IEnumerable<YamlMap> AllContainers(YamlMap deployment) =>
        Containers(deployment).Concat(deployment.At("spec", "template", "spec")!.Maps("initContainers"));

    private static Dictionary<string, string> Environment(YamlMap container) =>
        container.Maps("env").Where(e => e.String("value") is not null).ToDictionary(e => e.Required("name"), e => e.Required("value"));

    private static YamlMap PodVolumeAt(YamlMap deployment, string mountPath)
    {
        var mount = Containers(deployment).Single().Maps("volumeMounts").Single(m => m.Required("mountPath") == mountPath);
        return deployment.At("spec", "template", "spec")!.Maps("volumes").Single(v => v.Required("name") == mount.Required("name"));
    }

    private static string VolumeSource(YamlMap deployment, string mountPath) =>
        PodVolumeAt(deployment, mountPath).Keys.Single(k => k != "name");

    private static string ClaimAt(YamlMap deployment, string mountPath) =>
        PodVolumeAt(deployment, mountPath).RequiredMap("persistentVolumeClaim").Required("claimName");
}
