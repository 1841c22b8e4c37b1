using System.Net;
using System.Text.Json;

namespace ExpressionService.Tests;

public sealed class OpenApiTests(ServiceFixture service) : IClassFixture<ServiceFixture>
{
    [Fact]
    public async Task DocumentDescribesClassifyAsAMultipartUploadOfBinaryImages()
    {
        using var document = JsonDocument.Parse(await service.Client.GetStringAsync("/swagger/v1/swagger.json"));

        var classify = document.RootElement.GetProperty("paths").GetProperty("/classify").GetProperty("post");
        var form = classify.GetProperty("requestBody").GetProperty("content").GetProperty("multipart/form-data");
        var images = form.GetProperty("schema").GetProperty("properties").GetProperty("images");
        Assert.Equal("array", images.GetProperty("type").GetString());
        var item = images.GetProperty("items");
        Assert.Equal("string", item.GetProperty("type").GetString());
        Assert.Equal("binary", item.GetProperty("format").GetString());
        Assert.Equal(
            ["200", "400", "413", "415", "429", "503"],
            classify.GetProperty("responses").EnumerateObject().Select(r => r.Name).Order());
    }

    [Fact]
    public async Task SwaggerUiIsServed()
    {
        using var response = await service.Client.GetAsync("/swagger/index.html");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("swagger-ui", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
