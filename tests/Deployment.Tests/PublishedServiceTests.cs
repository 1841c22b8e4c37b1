using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Reflection;
using System.Runtime.Versioning;
using System.Text;
using System.Text.Json.Nodes;
using ExpressionNet.Tests;
using Xunit.Abstractions;

namespace Deployment.Tests;

/// <summary>
/// What the image would run, run here without a container engine: the service's publish output,
/// started with the Dockerfile's entry point, working folder and environment, its /data paths
/// moved under a temporary folder, and (when these tests run as root) as the image's non-root
/// user with a publish folder it cannot write to.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class PublishedServiceTests(ITestOutputHelper output)
{
    // The UID of the user 'app' that the .NET images run as ($APP_UID).
    private const string AppUser = "1654";

    private static readonly TimeSpan PublishTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan StartupTimeout = TimeSpan.FromMinutes(2);
    private static readonly Dockerfile Image = Dockerfile.Load(Repository.PathOf("Dockerfile"));

    [Fact]
    public async Task PublishedServiceStartsAsTheImageDoesAndClassifiesAPortrait()
    {
        Assert.True(File.Exists(Repository.PathOf("models/default/model.json")),
            "models/default holds no model: the image ships it to seed an empty registry, and without it "
            + "the service never becomes ready.");
        var root = Directory.CreateTempSubdirectory("deployment-publish-").FullName;
        try
        {
            // The image's /app and /data, side by side under one folder that another user may enter.
            File.SetUnixFileMode(root, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            var app = Path.Combine(root, "app");
            await PublishAsync(app);

            var data = Path.Combine(root, "data");
            var settings = ImageEnvironment(root, FreePort());
            var asAppUser = await PrepareAppUserAsync(data, Path.Combine(root, "home"), settings);

            using var service = StartService(app, settings, asAppUser);
            var address = new Uri($"http://127.0.0.1:{settings["ASPNETCORE_HTTP_PORTS"]}");
            using var client = new HttpClient { BaseAddress = address };
            await WaitUntilReadyAsync(client, service);

            var healthcheck = await ChildProcess.RunAsync(
                "bash", [Repository.PathOf("deploy/docker/healthcheck.sh")], root, TimeSpan.FromSeconds(30), settings);
            using var classified = await ClassifyAsync(client, "frl-london/happy/001.jpg");
            var body = JsonNode.Parse(await classified.Content.ReadAsStringAsync())!;
            using var cancel = new HttpRequestMessage(HttpMethod.Post, "/jobs/no-such-job/cancel");
            cancel.Headers.Add("X-Api-Key", settings["Auth__ApiKeys__0"]);
            using var cancelled = await client.SendAsync(cancel);

            Assert.True(healthcheck.ExitCode == 0, $"The image's health check failed on a ready service: {healthcheck.Error}");
            Assert.Equal(HttpStatusCode.OK, classified.StatusCode);
            Assert.Single(body["images"]!.AsArray()[0]!["faces"]!.AsArray());
            Assert.Equal(HttpStatusCode.NotFound, cancelled.StatusCode);
            Assert.True(File.Exists(Path.Combine(data, "registry", "aliases.json")), "No registry was seeded at Registry__Root.");
            Assert.True(File.Exists(Path.Combine(data, "jobs", "jobs.db")), "The job database is not at Jobs__Database.");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    // Publishes the build that these tests were built with (no second compile), taking the face
    // nets from the npm package the build installed, as the Dockerfile takes them from its stage.
    private async Task PublishAsync(string folder)
    {
        var configuration = typeof(PublishedServiceTests).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()!;
        var project = Repository.PathOf("src/ExpressionService/ExpressionService.csproj");
        var faceApiModels = Repository.PathOf("tools/face-api/node_modules/@vladmandic/face-api/model/");
        var watch = Stopwatch.StartNew();
        var result = await ChildProcess.RunAsync(
            "dotnet",
            ["publish", project, "--no-build", "-c", configuration.Configuration, "-o", folder, $"-p:FaceApiModelDir={faceApiModels}"],
            Repository.Root,
            PublishTimeout);
        output.WriteLine($"dotnet publish --no-build took {watch.Elapsed.TotalSeconds:F1} s");

        Assert.True(result.ExitCode == 0, $"dotnet publish failed:{Environment.NewLine}{result.Output}{result.Error}");
        Assert.True(File.Exists(Path.Combine(folder, Image.EntryPoint[^1])), $"The publish output has no {Image.EntryPoint[^1]}.");
    }

    // The image's environment, its /data paths moved under root, on a port of our own, with an
    // API key as docker-compose passes it; and none of the ASP.NET variables this process may have.
    private static Dictionary<string, string?> ImageEnvironment(string root, int port)
    {
        var environment = Image.Environment().ToDictionary(
            e => e.Key,
            string? (e) => e.Value.StartsWith("/data/", StringComparison.Ordinal) ? root + e.Value : e.Value);
        environment["ASPNETCORE_HTTP_PORTS"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        environment["Auth__ApiKeys__0"] = Guid.NewGuid().ToString("N");
        foreach (var inherited in new[] { "ASPNETCORE_URLS", "ASPNETCORE_ENVIRONMENT", "DOTNET_ENVIRONMENT" })
        {
            environment[inherited] = null;
        }

        return environment;
    }

    // As root, the service runs as the image's user, owning only its data folders and home, as in
    // the image; otherwise as the current user.
    private async Task<bool> PrepareAppUserAsync(string data, string home, Dictionary<string, string?> environment)
    {
        foreach (var volume in Image.Volumes)
        {
            Directory.CreateDirectory(data + volume["/data".Length..]);
        }

        Directory.CreateDirectory(home);
        environment["HOME"] = home;
        if (Environment.UserName != "root" || !ChildProcess.IsOnPath("setpriv"))
        {
            output.WriteLine("Not root, or no setpriv: the service runs as the current user.");
            return false;
        }

        var chown = await ChildProcess.RunAsync(
            "chown", ["-R", $"{AppUser}:{AppUser}", data, home], data, TimeSpan.FromSeconds(30));
        Assert.True(chown.ExitCode == 0, chown.Error);
        return true;
    }

    private static RunningService StartService(string app, Dictionary<string, string?> environment, bool asAppUser)
    {
        var command = asAppUser
            ? ["setpriv", $"--reuid={AppUser}", $"--regid={AppUser}", "--clear-groups", .. Image.EntryPoint]
            : Image.EntryPoint.ToList();
        var start = new ProcessStartInfo(command[0])
        {
            WorkingDirectory = app,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in command.Skip(1))
        {
            start.ArgumentList.Add(argument);
        }

        ChildProcess.SetEnvironment(start, environment);
        return new RunningService(start);
    }

    private async Task WaitUntilReadyAsync(HttpClient client, RunningService service)
    {
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < StartupTimeout)
        {
            Assert.False(service.Process.HasExited, $"The service exited:{Environment.NewLine}{service.Log}");
            try
            {
                using var response = await client.GetAsync("/health/ready");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    output.WriteLine($"Ready {watch.Elapsed.TotalSeconds:F1} s after start");
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(TimeSpan.FromMilliseconds(500));
        }

        Assert.Fail($"/health/ready did not answer 200 within {StartupTimeout}:{Environment.NewLine}{service.Log}");
    }

    private static async Task<HttpResponseMessage> ClassifyAsync(HttpClient client, string photo)
    {
        using var form = new MultipartFormDataContent();
        var image = new ByteArrayContent(await File.ReadAllBytesAsync(Path.Combine(SharedData.Root, photo)));
        image.Headers.ContentType = new MediaTypeHeaderValue("image/jpeg");
        form.Add(image, "images", Path.GetFileName(photo));
        return await client.PostAsync("/classify", form);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A started service and what it printed; disposing stops it.</summary>
    private sealed class RunningService : IDisposable
    {
        private readonly StringBuilder _log = new();

        public RunningService(ProcessStartInfo start)
        {
            Process = Process.Start(start) ?? throw new InvalidOperationException($"{start.FileName} did not start.");
            Process.OutputDataReceived += (_, e) => Append(e.Data);
            Process.ErrorDataReceived += (_, e) => Append(e.Data);
            Process.BeginOutputReadLine();
            Process.BeginErrorReadLine();
        }

        public Process Process { get; }

        public string Log
        {
            get
            {
                lock (_log)
                {
                    return _log.ToString();
                }
            }
        }

        public void Dispose()
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
                Process.WaitForExit();
            }

            Process.Dispose();
        }

        private void Append(string? line)
        {
            lock (_log)
            {
                _log.AppendLine(line);
            }
        }
    }
}
