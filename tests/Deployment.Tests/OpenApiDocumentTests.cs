using System.Text.Json.Nodes;

namespace Deployment.Tests;

/// <summary>
/// openapi/expression-service.json is the service's contract for clients: it must be the document
/// the service serves, and that document must describe every endpoint fully.
/// </summary>
[Collection(ServiceHost.Collection)]
public sealed class OpenApiDocumentTests(ServiceHost host)
{
    private const string CommittedPath = "openapi/expression-service.json";

    [Fact]
    public async Task CommittedDocumentIsTheOneTheServiceServes()
    {
        var live = await host.OpenApiDocumentAsync();
        var path = Repository.PathOf(CommittedPath);
        if (Environment.GetEnvironmentVariable("UPDATE_OPENAPI") == "1")
        {
            await File.WriteAllTextAsync(path, live);
        }

        var committed = File.Exists(path) ? ServiceHost.Normalize(await File.ReadAllTextAsync(path)) : "";

        Assert.True(committed == live,
            $"{CommittedPath} differs from the document the service serves at /swagger/v1/swagger.json "
            + $"({FirstDifference(committed, live)}). If the API change is intended, regenerate the file with "
            + "`UPDATE_OPENAPI=1 dotnet test tests/Deployment.Tests --filter FullyQualifiedName~OpenApiDocumentTests` "
            + "and commit it with the change.");
    }

    [Fact]
    public async Task DocumentDescribesEveryEndpointTheServiceMaps()
    {
        var document = await DocumentAsync();
        var documented = document["paths"]!.AsObject().Select(p => p.Key).ToHashSet(StringComparer.Ordinal);

        // Swagger UI and the document itself are how the API is read, not part of it.
        var missing = host.Routes
            .Where(r => !r.StartsWith("/swagger", StringComparison.Ordinal) && !documented.Contains(r))
            .ToList();

        Assert.True(missing.Count == 0, $"Mapped but not in the OpenAPI document: {string.Join(", ", missing)}");
    }

    [Fact]
    public async Task EveryOperationHasASummaryAnIdAndATag()
    {
        var lacking = Operations(await DocumentAsync())
            .Where(o => string.IsNullOrWhiteSpace((string?)o.Operation["summary"])
                || string.IsNullOrWhiteSpace((string?)o.Operation["operationId"])
                || o.Operation["tags"] is not JsonArray { Count: > 0 })
            .Select(o => o.Name)
            .ToList();

        Assert.True(lacking.Count == 0, $"Operations without a summary, an operationId or a tag: {string.Join(", ", lacking)}");
    }

    [Fact]
    public async Task EveryParameterIsDescribed()
    {
        var lacking = Operations(await DocumentAsync())
            .SelectMany(o => (o.Operation["parameters"]?.AsArray() ?? [])
                .Where(p => string.IsNullOrWhiteSpace((string?)p!["description"]))
                .Select(p => $"{o.Name} {(string?)p!["name"]}"))
            .ToList();

        Assert.True(lacking.Count == 0, $"Parameters without a description: {string.Join(", ", lacking)}");
    }

    [Fact]
    public async Task EverySuccessResponseHasAMediaTypeAndASchema()
    {
        var lacking = Operations(await DocumentAsync())
            .SelectMany(o => Responses(o.Operation)
                .Where(r => r.Status.StartsWith('2') && r.Status != "204")
                .Where(r => r.Response["content"] is not JsonObject { Count: > 0 } content
                    || content.Any(m => m.Value?["schema"] is null))
                .Select(r => $"{o.Name} {r.Status}"))
            .ToList();

        Assert.True(lacking.Count == 0, $"Success responses without content or schema: {string.Join(", ", lacking)}");
    }

    [Fact]
    public async Task EveryErrorResponseIsProblemDetails()
    {
        var document = await DocumentAsync();
        var schemas = document["components"]!["schemas"]!.AsObject();
        Assert.True(schemas.ContainsKey("ProblemDetails"), "The document has no ProblemDetails schema.");

        // Readiness answers probes, which read the status code alone, in plain text.
        var wrong = Operations(document)
            .Where(o => o.Path != "/health/ready")
            .SelectMany(o => Responses(o.Operation)
                .Where(r => r.Status[0] is '4' or '5')
                .Where(r => (string?)r.Response["content"]?["application/problem+json"]?["schema"]?["$ref"]
                    is not ("#/components/schemas/ProblemDetails" or "#/components/schemas/HttpValidationProblemDetails"))
                .Select(r => $"{o.Name} {r.Status}"))
            .ToList();

        Assert.True(wrong.Count == 0, $"Error responses that are not problem details: {string.Join(", ", wrong)}");
    }

    [Fact]
    public async Task OperationsWithPathParametersDocumentNotFound()
    {
        var lacking = Operations(await DocumentAsync())
            .Where(o => o.Path.Contains('{', StringComparison.Ordinal) && o.Operation["responses"]?["404"] is null)
            .Select(o => o.Name)
            .ToList();

        Assert.True(lacking.Count == 0, $"Operations on a resource that do not document 404: {string.Join(", ", lacking)}");
    }

    [Fact]
    public async Task StateChangingOperationsNeedTheApiKeyScheme()
    {
        var document = await DocumentAsync();
        var scheme = document["components"]!["securitySchemes"]!["ApiKey"]!;
        Assert.Equal("apiKey", (string?)scheme["type"]);
        Assert.Equal("header", (string?)scheme["in"]);
        Assert.Equal("X-Api-Key", (string?)scheme["name"]);

        var writes = Operations(document).Where(o => o.Method is "post" && o.Path != "/classify").ToList();
        Assert.NotEmpty(writes);
        Assert.All(writes, o =>
        {
            Assert.True(o.Operation["security"]?[0]?["ApiKey"] is not null, $"{o.Name} does not list the ApiKey requirement.");
            Assert.NotNull(o.Operation["responses"]?["401"]);
            Assert.NotNull(o.Operation["responses"]?["403"]);
        });
    }

    [Fact]
    public async Task ClassifyDocumentsTheMultipartUploadAndTheRawImageBody()
    {
        var body = (await DocumentAsync())["paths"]!["/classify"]!["post"]!["requestBody"]!;

        var form = body["content"]!["multipart/form-data"]!["schema"]!;
        var images = form["properties"]!["images"]!;
        var raw = body["content"]!["image/*"]!["schema"]!;

        Assert.True((bool?)body["required"]);
        Assert.Contains("images", form["required"]!.AsArray().Select(n => (string?)n));
        Assert.Equal("array", (string?)images["type"]);
        Assert.Equal("binary", (string?)images["items"]!["format"]);
        Assert.Equal("binary", (string?)raw["format"]);
    }

    private async Task<JsonObject> DocumentAsync() => JsonNode.Parse(await host.OpenApiDocumentAsync())!.AsObject();

    private static IEnumerable<(string Name, string Path, string Method, JsonObject Operation)> Operations(
        JsonObject document) =>
        document["paths"]!.AsObject().SelectMany(path => path.Value!.AsObject()
            .Where(o => o.Value is JsonObject)
            .Select(o => ($"{o.Key.ToUpperInvariant()} {path.Key}", path.Key, o.Key, o.Value!.AsObject())));

    private static IEnumerable<(string Status, JsonObject Response)> Responses(JsonObject operation) =>
        operation["responses"]?.AsObject().Select(r => (r.Key, r.Value!.AsObject())) ?? [];

    private static string FirstDifference(string committed, string live)
    {
        if (committed.Length == 0)
        {
            return "the file is missing or empty";
        }

        var a = committed.Split('\n');
        var b = live.Split('\n');
        var common = Math.Min(a.Length, b.Length);
        var line = Enumerable.Range(0, common).FirstOrDefault(i => a[i] != b[i], common);
        return $"first difference at line {line + 1}: committed '{Line(a, line)}', served '{Line(b, line)}'";
    }

    private static string Line(string[] lines, int index) => index < lines.Length ? lines[index].Trim() : "(end of file)";
}
