using System.Xml.Linq;

namespace Deployment.Tests;

/// <summary>
/// No container engine runs here, so the image cannot be built; these check what the Dockerfile
/// promises against the repository and the service: what restore reads, settings, ports, volumes.
/// </summary>
public sealed class DockerfileTests
{
    private static readonly Dockerfile File = Dockerfile.Load(Repository.PathOf("Dockerfile"));
    private const string TorchBackend = "-p:TorchBackend=${TORCH_BACKEND}";
    private static readonly Dictionary<string, string> Cuda = new() { ["TORCH_BACKEND"] = "cuda" };

    [Fact]
    public void RestoreLayerCopiesEveryFileRestoreReadsAndNoSources()
    {
        var build = File.Stage("build");
        var restore = build.Instructions.TakeWhile(i => !Runs(i, "dotnet restore"));
        var copied = restore.Where(i => i.Keyword == "COPY").SelectMany(i => Sources(i.Arguments)).ToList();
        var needed = RestoreInputs().ToList();

        var missing = needed.Where(file => !copied.Any(source => Covers(source, file))).ToList();
        var extra = copied.Where(source => !needed.Any(file => Covers(source, file))).ToList();

        Assert.True(missing.Count == 0,
            $"The restore layer lacks {string.Join(", ", missing)}: restore would fail in the image.");
        Assert.True(extra.Count == 0,
            $"The restore layer copies {string.Join(", ", extra)}, which restore does not read: a change to them redoes it.");
        Assert.Contains(TorchBackend, build.Instructions.Single(i => Runs(i, "dotnet restore")).Arguments);
    }

    [Fact]
    public void PublishTakesTheFaceNetsFromTheNpmStage()
    {
        var faceApi = File.Stage("face-api");
        var weights = File.Stage("build").Instructions
            .Single(i => i.Keyword == "COPY" && i.Arguments.StartsWith("--from=face-api", StringComparison.Ordinal));
        var modelDir = Operands(weights.Arguments)[^1];
        var publish = File.Stage("publish").Instructions.Single(i => Runs(i, "dotnet publish"));

        Assert.Contains(faceApi.Instructions, i => Runs(i, "npm ci --omit=dev --ignore-scripts"));
        Assert.EndsWith("/@vladmandic/face-api/model/", Sources(weights.Arguments).Single(), StringComparison.Ordinal);
        Assert.Contains($"-p:FaceApiModelDir={modelDir}", publish.Arguments, StringComparison.Ordinal);
        Assert.Contains(TorchBackend, publish.Arguments, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("cpu")]
    [InlineData("cuda")]
    public void EveryVariableTheImageSetsIsOneTheServiceReads(string backend)
    {
        var problems = File.Environment(new Dictionary<string, string> { ["TORCH_BACKEND"] = backend }).Keys
            .Select(ServiceSettings.Problem)
            .OfType<string>()
            .ToList();

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void DataSettingsPointIntoTheDeclaredVolumes()
    {
        var environment = File.Environment();
        var volumes = File.Volumes;

        Assert.Equal(["/data/registry", "/data/jobs", "/data/datasets"], volumes);
        Assert.Equal("/data/registry", environment["Registry__Root"]);
        Assert.StartsWith("/data/jobs/", environment["Jobs__Database"], StringComparison.Ordinal);
        Assert.StartsWith("/data/jobs/", environment["Jobs__WorkRoot"], StringComparison.Ordinal);
        Assert.Equal("/data/datasets", environment["Jobs__DataRoot"]);
    }

    [Fact]
    public void ServiceListensOnTheExposedPort()
    {
        Assert.Equal(File.Last("EXPOSE"), File.Environment()["ASPNETCORE_HTTP_PORTS"]);
    }

    [Fact]
    public void ImageRunsAsTheNonRootAppUserAndChecksReadiness()
    {
        var healthcheck = File.HealthCheck.Single();
        var copy = File.FinalImage().Single(i => i.Keyword == "COPY" && Operands(i.Arguments)[^1] == healthcheck);
        var script = Repository.ReadText(Sources(copy.Arguments)[0]);

        Assert.Equal("$APP_UID", File.Last("USER"));
        Assert.Contains("GET /health/ready", script, StringComparison.Ordinal);
        Assert.Equal(["dotnet", "ExpressionService.dll"], File.EntryPoint);
        Assert.Equal("/app", File.Last("WORKDIR"));
    }

    [Fact]
    public void OnlyTheCudaImageAsksTheNvidiaRuntimeForGpus()
    {
        Assert.Equal("cpu", File.GlobalArguments["TORCH_BACKEND"]);
        Assert.Equal("all", File.Environment(Cuda)["NVIDIA_VISIBLE_DEVICES"]);
        Assert.Contains("compute", File.Environment(Cuda)["NVIDIA_DRIVER_CAPABILITIES"], StringComparison.Ordinal);
        Assert.Equal("auto", File.Environment(Cuda)["Batching__Device"]);
        Assert.DoesNotContain("NVIDIA_VISIBLE_DEVICES", File.Environment().Keys);
    }

    // What `dotnet restore` of the service reads: the shared props and targets, the project files
    // it references (transitively) and the targets they import.
    private static IEnumerable<string> RestoreInputs()
    {
        string[] shared = ["Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props"];
        var imports = Directory.EnumerateFiles(Repository.PathOf("build"), "*.targets").Select(Relative);
        return shared.Concat(imports).Concat(ProjectClosure("src/ExpressionService/ExpressionService.csproj"));
    }

    private static IEnumerable<string> ProjectClosure(string project)
    {
        yield return project;
        var folder = Path.GetDirectoryName(Repository.PathOf(project))!;
        var references = XDocument.Load(Repository.PathOf(project)).Descendants("ProjectReference")
            .Select(r => r.Attribute("Include")!.Value.Replace('\\', '/'))
            .Select(path => Relative(Path.GetFullPath(Path.Combine(folder, path))));
        foreach (var reference in references.SelectMany(ProjectClosure))
        {
            yield return reference;
        }
    }

    private static string Relative(string path) => Path.GetRelativePath(Repository.Root, path).Replace('\\', '/');

    // COPY [--flags] <source>... <destination>
    private static List<string> Operands(string arguments) =>
        arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Where(a => !a.StartsWith("--", StringComparison.Ordinal))
            .ToList();

    private static List<string> Sources(string arguments) => Operands(arguments)[..^1];

    private static bool Runs(DockerInstruction instruction, string command) =>
        instruction.Keyword == "RUN" && instruction.Arguments.StartsWith(command, StringComparison.Ordinal);

    private static bool Covers(string source, string file) =>
        source == file || (source.EndsWith('/') && file.StartsWith(source, StringComparison.Ordinal));
}
