using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Deployment.Tests;

/// <summary>
/// The service in memory over folders of its own, with no model to load: enough to read its
/// OpenAPI document and the routes it maps. Shared by the tests of one collection.
/// </summary>
public sealed partial class ServiceHost : WebApplicationFactory<Program>
{
    public const string Collection = "service host";

    private static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        NewLine = "\n",
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private readonly string _folder = Directory.CreateTempSubdirectory("deployment-tests-").FullName;

    /// <summary>The route patterns the service maps, constraints removed ("/models/{name}/versions/{version}").</summary>
    public IReadOnlyList<string> Routes =>
        Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Select(e => ConstraintPattern().Replace(PathOf(e), "}"))
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>Whether a GET of this exact path reaches one of the service's endpoints.</summary>
    public bool Serves(string path) =>
        Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Any(e => PathOf(e) == path
                && (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.Contains("GET") ?? true));

    /// <summary>The OpenAPI document the service serves, as the indented JSON the repository keeps.</summary>
    public async Task<string> OpenApiDocumentAsync()
    {
        using var client = CreateClient();
        var text = await client.GetStringAsync("/swagger/v1/swagger.json");
        return Normalize(text);
    }

    /// <summary>A JSON document indented the way openapi/expression-service.json is written.</summary>
    public static string Normalize(string json) => JsonNode.Parse(json)!.ToJsonString(Indented) + "\n";

    protected override void ConfigureWebHost(IWebHostBuilder builder) =>
        builder.ConfigureAppConfiguration(configuration => configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Registry:Root"] = Path.Combine(_folder, "registry"),
            // No seed: the document and the routes need no model, and loading one costs seconds.
            ["Registry:SeedModel"] = Path.Combine(_folder, "no-seed"),
            ["Jobs:RunnerEnabled"] = "false",
            ["Jobs:Database"] = Path.Combine(_folder, "jobs", "jobs.db"),
            ["Jobs:WorkRoot"] = Path.Combine(_folder, "jobs", "work"),
            ["Jobs:DataRoot"] = Path.Combine(_folder, "datasets"),
            ["Serilog:MinimumLevel:Default"] = "Error",
        }));

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing && Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    // A group's own route ends in '/' ("/classify/"); requests and the document have none.
    private static string PathOf(RouteEndpoint endpoint) => "/" + endpoint.RoutePattern.RawText?.Trim('/');

    [GeneratedRegex(@":[^}]+\}")]
    private static partial Regex ConstraintPattern();
}

[CollectionDefinition(ServiceHost.Collection)]
public sealed class ServiceHostDefinition : ICollectionFixture<ServiceHost>;
