using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using ExpressionService.Classification;
using Microsoft.AspNetCore.Mvc;

namespace ExpressionService.Tests;

/// <summary>Builds /classify request bodies and reads their answers.</summary>
public static class Requests
{
    /// <summary>A multipart form with the files in the field "images".</summary>
    public static MultipartFormDataContent Images(params (string FileName, byte[] Bytes)[] files)
    {
        var form = new MultipartFormDataContent();
        foreach (var (fileName, bytes) in files)
        {
            var file = new ByteArrayContent(bytes);
            file.Headers.ContentType = new MediaTypeHeaderValue(MediaTypeOf(fileName));
            form.Add(file, "images", fileName);
        }

        return form;
    }

    /// <summary>One image as the raw body.</summary>
    public static ByteArrayContent Raw(byte[] bytes, string mediaType = "image/jpeg")
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        return content;
    }

    /// <summary>Posts one FER2013 face crop, taken as the face itself.</summary>
    public static async Task<HttpResponseMessage> PostFaceCropAsync(
        this HttpClient client, CancellationToken cancellationToken = default)
    {
        using var content = Raw(TestImages.FerFace(), "image/png");
        return await client.PostAsync("/classify?detect=false", content, cancellationToken);
    }

    /// <summary>Asserts a 200 and reads the answer; a failure shows the body the service sent.</summary>
    public static async Task<ClassifyResponse> ReadAnswerAsync(HttpResponseMessage response)
    {
        if (response.StatusCode != HttpStatusCode.OK)
        {
            Assert.Fail($"Expected 200, got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        var answer = await response.Content.ReadFromJsonAsync<ClassifyResponse>(JsonSerializerOptions.Web);
        return answer ?? throw new InvalidDataException("The answer is JSON null.");
    }

    /// <summary>
    /// Asserts RFC 9457 problem details with the status, a title and a detail; with a file name, that the
    /// detail names it and the problem's "file" member holds it.
    /// </summary>
    public static async Task<ProblemDetails> ReadProblemAsync(
        HttpResponseMessage response, HttpStatusCode status, string? file = null)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"Expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);

        var problem = JsonSerializer.Deserialize<ProblemDetails>(body, JsonSerializerOptions.Web)!;
        Assert.Equal((int)status, problem.Status);
        Assert.False(string.IsNullOrWhiteSpace(problem.Title), body);
        Assert.False(string.IsNullOrWhiteSpace(problem.Detail), body);
        if (file is not null)
        {
            Assert.Contains($"'{file}'", problem.Detail, StringComparison.Ordinal);
            Assert.Equal(file, Assert.Contains("file", problem.Extensions)?.ToString());
        }

        return problem;
    }

    private static string MediaTypeOf(string fileName) => Path.GetExtension(fileName).ToLowerInvariant() switch
    {
        ".jpg" or ".jpeg" => "image/jpeg",
        ".png" => "image/png",
        ".bmp" => "image/bmp",
        _ => "application/octet-stream",
    };
}
