using System.Globalization;

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
    private static readonly IReadOnlyList<YamlMap> Manifests = ManifestFiles()
        .SelectMany(f => YamlMap.ParseAll(Repository.ReadText($"{Folder}/{f}")))
        .ToList();

    private static YamlMap Kustomization => YamlMap.Parse(Repository.ReadText($"{Folder}/kustomization.yaml"));

    private static YamlMap Serving => Resource("Deployment", "expression-serving");

    private static YamlMap Trainer => Resource("Deployment", "expression-trainer");

    private static IEnumerable<YamlMap> Deployments => Manifests.Where(m => m.String("kind") == "Deployment");

    [Fact]
    public void EveryManifestIsANamedResourceTheKustomizationLists()
    {
        Assert.All(Manifests, m =>
        {
            Assert.False(string.IsNullOrEmpty(m.String("apiVersion")));
            Assert.False(string.IsNullOrEmpty(m.String("kind")));
            Assert.False(string.IsNullOrEmpty(m.RequiredMap("metadata").String("name")));
        });
        Assert.Equal(ManifestFiles().Order(), Kustomization.Strings("resources").Order());
    }

    [Fact]
    public async Task ContainersRunTheImageComposeBuildsForGpus()
    {
        var gpu = (await Compose.ServicesAsync()).RequiredMap("expression-service-gpu").Required("image");
        var image = Kustomization.Maps("images").Single();
        var containers = Deployments.SelectMany(AllContainers);

        Assert.Equal(gpu, $"{image.Required("newName")}:{image.Required("newTag")}");
        Assert.All(containers, c => Assert.Equal(image.Required("name"), c.Required("image")));
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
            var volumes = PodSpec(deployment).Maps("volumes").Select(v => v.Required("name")).ToHashSet();
            foreach (var container in AllContainers(deployment))
            {
                var mounts = container.Maps("volumeMounts");
                Assert.All(mounts, m => Assert.Contains(m.Required("mountPath"), Image.Volumes));
                Assert.All(mounts, m => Assert.Contains(m.Required("name"), volumes));

                var paths = Environment(container)
                    .Where(e => e.Key is "Registry__Root" or "Jobs__Database" or "Jobs__WorkRoot" or "Jobs__DataRoot");
                Assert.All(paths, p => Assert.Contains(mounts, m => IsWithin(p.Value, m.Required("mountPath"))));
            }

            var claims = PodSpec(deployment).Maps("volumes")
                .Select(v => v.Map("persistentVolumeClaim")?.String("claimName"))
                .OfType<string>();
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
            Assert.True(host.Serves(readiness.Required("path")), "The service does not serve the readiness path.");
            Assert.True(host.Serves(liveness.Required("path")), "The service does not serve the liveness path.");
            Assert.Equal(port, readiness.Required("port"));
            Assert.Equal(port, liveness.Required("port"));
        });
    }

    [Fact]
    public void ServingReplicasScaleOutOnOneGpuEachAndRunNoJobs()
    {
        var container = Containers(Serving).Single();

        Assert.True(int.Parse(Serving.At("spec")!.Required("replicas"), CultureInfo.InvariantCulture) > 1);
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
        Assert.Equal("true", Mount(Trainer, "/data/datasets").String("readOnly"));
    }

    [Fact]
    public void ServicesSelectTheirPodsAndTheIngressSendsJobsToTheTrainer()
    {
        foreach (var service in Manifests.Where(m => m.String("kind") == "Service"))
        {
            var selector = service.At("spec", "selector")!;
            var pods = Deployments.Where(d => selector.Keys.All(k => Labels(d).String(k) == selector.String(k))).ToList();
            var port = Containers(Assert.Single(pods)).Single().Maps("ports").Single().Required("name");
            Assert.All(service.At("spec")!.Maps("ports"), p => Assert.Equal(port, p.Required("targetPort")));
        }

        var ingress = Resource("Ingress", "expression-service").At("spec")!;
        var paths = ingress.Maps("rules").Single().At("http")!.Maps("paths");
        Assert.All(paths, p =>
        {
            var backend = p.At("backend", "service")!;
            var ports = Resource("Service", backend.Required("name")).At("spec")!.Maps("ports").Select(q => q.Required("name"));
            Assert.Contains(backend.At("port")!.Required("name"), ports);
            Assert.Contains(host.Routes, r => r.StartsWith(p.Required("path"), StringComparison.Ordinal));
        });
        var jobs = paths.Single(p => p.Required("path") == "/jobs");
        Assert.Equal("expression-trainer", jobs.At("backend", "service")!.Required("name"));
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
        var command = $"kubectl create secret generic {secret.Name} --from-literal={secret.Key}=";
        Assert.Contains(command, readme, StringComparison.Ordinal);
    }

    private static IEnumerable<string> ManifestFiles() =>
        Directory.EnumerateFiles(Repository.PathOf(Folder), "*.yaml")
            .Select(f => Path.GetFileName(f))
            .Where(f => f != "kustomization.yaml");

    private static YamlMap Resource(string kind, string name) =>
        Manifests.SingleOrDefault(m => m.String("kind") == kind && m.RequiredMap("metadata").String("name") == name)
        ?? throw new Xunit.Sdk.XunitException($"deploy/k8s has no {kind} named {name}.");

    private static YamlMap PodSpec(YamlMap deployment) => deployment.At("spec", "template", "spec")!;

    private static YamlMap Labels(YamlMap deployment) => deployment.At("spec", "template", "metadata", "labels")!;

    private static IEnumerable<YamlMap> Containers(YamlMap deployment) => PodSpec(deployment).Maps("containers");

    private static IEnumerable<YamlMap> AllContainers(YamlMap deployment) =>
        Containers(deployment).Concat(PodSpec(deployment).Maps("initContainers"));

    private static Dictionary<string, string> Environment(YamlMap container) =>
        container.Maps("env")
            .Where(e => e.String("value") is not null)
            .ToDictionary(e => e.Required("name"), e => e.Required("value"));

    private static bool IsWithin(string path, string folder) =>
        path == folder || path.StartsWith(folder + "/", StringComparison.Ordinal);

    private static YamlMap Mount(YamlMap deployment, string mountPath) =>
        Containers(deployment).Single().Maps("volumeMounts").Single(m => m.Required("mountPath") == mountPath);

    private static YamlMap PodVolumeAt(YamlMap deployment, string mountPath)
    {
        var name = Mount(deployment, mountPath).Required("name");
        return PodSpec(deployment).Maps("volumes").Single(v => v.Required("name") == name);
    }

    private static string VolumeSource(YamlMap deployment, string mountPath) =>
        PodVolumeAt(deployment, mountPath).Keys.Single(k => k != "name");

    private static string ClaimAt(YamlMap deployment, string mountPath) =>
        PodVolumeAt(deployment, mountPath).RequiredMap("persistentVolumeClaim").Required("claimName");
}
