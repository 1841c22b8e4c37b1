using Serilog;
using Serilog.Events;
using Serilog.Formatting.Compact;

namespace ExpressionService.Operations;

/// <summary>Serilog: readable console lines in Development, compact JSON elsewhere, plus request logging.</summary>
public static class Logging
{
    public static WebApplicationBuilder AddServiceLogging(this WebApplicationBuilder builder)
    {
        var development = builder.Environment.IsDevelopment();
        builder.Services.AddSerilog((services, logger) =>
        {
            logger.ReadFrom.Configuration(builder.Configuration)
                .ReadFrom.Services(services)
                .Enrich.FromLogContext();
            if (development)
            {
                logger.WriteTo.Console(
                    outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}");
            }
            else
            {
                logger.WriteTo.Console(new RenderedCompactJsonFormatter());
            }
        });
        return builder;
    }

    /// <summary>
    /// The level of a request's log line. Health probes are polled every few seconds and answer 503
    /// by design until a model is ready, so they log at Debug; a full queue or an expired wait is a
    /// Warning; only an exception or another server error is an Error.
    /// </summary>
    public static LogEventLevel RequestLevel(HttpContext context, double elapsedMilliseconds, Exception? error) =>
        error is not null ? LogEventLevel.Error
        : context.Request.Path.StartsWithSegments(HealthEndpoints.Prefix) ? LogEventLevel.Debug
        : context.Response.StatusCode is StatusCodes.Status429TooManyRequests or StatusCodes.Status503ServiceUnavailable ? LogEventLevel.Warning
        : context.Response.StatusCode >= StatusCodes.Status500InternalServerError ? LogEventLevel.Error
        : LogEventLevel.Information;
}
