using System.Net;
using System.Text;

namespace ExpressionService.Tests;

public sealed class MetricsTests
{
    [Fact]
    public async Task MetricsCountBatchesFacesAndRequestsByStatusCode()
    {
        await using var factory = new ServiceFactory();
        using var client = await factory.CreateReadyClientAsync();
        using var classified = await client.PostFaceCropAsync();
        using var text = new StringContent("hello", Encoding.UTF8, "text/plain");
        using var refused = await client.PostAsync("/classify", text);

        var metrics = await MetricsScrape.ReadAsync(client);

        Assert.Equal(HttpStatusCode.OK, classified.StatusCode);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, refused.StatusCode);
        Assert.Equal(1, metrics.Sum("expression_batch_size_count"));
        Assert.Equal(1, metrics.Sum("expression_batch_size_sum"));
        Assert.Equal(1, metrics.Sum("expression_queue_wait_seconds_count"));
        Assert.Equal(1, metrics.Sum("expression_inference_seconds_count"));
        Assert.Equal(1, metrics.Sum("expression_faces_classified_total", ("model", "default"), ("version", "1")));
        Assert.True(metrics.Declares("expression_queue_depth"), metrics.Text);
        Assert.Equal(0, metrics.Sum("expression_queue_depth"));
        Assert.True(metrics.Declares("expression_requests_rejected_total"), metrics.Text);
        Assert.Equal(1, metrics.Sum("http_requests_received_total", ("method", "POST"), ("code", "200")));
        Assert.Equal(1, metrics.Sum("http_requests_received_total", ("method", "POST"), ("code", "415")));
    }
}
