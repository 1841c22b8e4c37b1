using ExpressionService.Operations;
using Microsoft.AspNetCore.Http;
using Serilog.Events;

namespace ExpressionService.Tests;

/// <summary>The level of each request's log line: errors are kept for what an operator must look at.</summary>
public sealed class RequestLoggingTests
{
    [Theory]
    [InlineData("/health/ready", StatusCodes.Status503ServiceUnavailable, LogEventLevel.Debug)]
    [InlineData("/health/live", StatusCodes.Status200OK, LogEventLevel.Debug)]
    [InlineData("/classify", StatusCodes.Status200OK, LogEventLevel.Information)]
    [InlineData("/classify", StatusCodes.Status415UnsupportedMediaType, LogEventLevel.Information)]
    [InlineData("/classify", StatusCodes.Status429TooManyRequests, LogEventLevel.Warning)]
    [InlineData("/classify", StatusCodes.Status503ServiceUnavailable, LogEventLevel.Warning)]
    [InlineData("/jobs", StatusCodes.Status500InternalServerError, LogEventLevel.Error)]
    public void RequestIsLoggedAtTheLevelItsOutcomeDeserves(string path, int status, LogEventLevel expected)
    {
        var context = new DefaultHttpContext { Request = { Path = path }, Response = { StatusCode = status } };

        Assert.Equal(expected, Logging.RequestLevel(context, elapsedMilliseconds: 1, error: null));
    }

    [Fact]
    public void RequestThatThrewIsAnErrorEvenOnAHealthProbe()
    {
        var context = new DefaultHttpContext { Request = { Path = "/health/ready" } };

        Assert.Equal(LogEventLevel.Error, Logging.RequestLevel(context, 1, new InvalidOperationException()));
    }
}
