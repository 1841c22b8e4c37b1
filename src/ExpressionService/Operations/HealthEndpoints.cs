using System.Text.Json;
using ExpressionNet.Detection;
using ExpressionService.Classification;
using ExpressionService.Registry;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ExpressionService.Operations;

/// <summary>Liveness and readiness endpoints and the checks behind readiness.</summary>
public static class HealthEndpoints
{
    public const string Prefix = "/health";

    public const string LivePath = Prefix + "/live";
    public const string ReadyPath = Prefix + "/ready";
    private const string ReadyTag = "ready";

    public static IServiceCollection AddOperations(this IServiceCollection services)
    {
        services.AddSingleton<ServiceMetrics>();
        services.AddOptions<ApiKeyOptions>().BindConfiguration(ApiKeyOptions.Section);
        services.AddHealthChecks()
            .AddCheck<ModelReadyCheck>("model", tags: [ReadyTag])
            .AddCheck<FaceDetectorCheck>("face-detector", tags: [ReadyTag]);
        return services;
    }

    public static IEndpointRouteBuilder MapOperations(this IEndpointRouteBuilder app)
    {
        // Liveness runs no checks: the process answering is the signal. The OpenAPI document
        // describes both endpoints (see OpenApiDocumentation), as the API explorer cannot see them.
        app.MapHealthChecks(LivePath, new HealthCheckOptions { Predicate = _ => false });

        // Still loading is Degraded (logged as a warning, not an error) but not ready all the same.
        app.MapHealthChecks(ReadyPath, new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(ReadyTag),
            ResultStatusCodes =
            {
                [HealthStatus.Healthy] = StatusCodes.Status200OK,
                [HealthStatus.Degraded] = StatusCodes.Status503ServiceUnavailable,
                [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
            },
            ResponseWriter = WriteReportAsync,
        });
        return app;
    }

    private static Task WriteReportAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        var body = new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(
                e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body, JsonSerializerOptions.Web));
    }

    private sealed class ModelReadyCheck(ModelHost host, IEnumerable<IHostedService> hosted) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            if (host.Current is { } model)
            {
                return Task.FromResult(HealthCheckResult.Healthy($"Serving {model}."));
            }

            var startup = hosted.OfType<RegistryStartup>().FirstOrDefault();
            return Task.FromResult(startup is { Finished: true }
                ? HealthCheckResult.Unhealthy(startup.Failure ?? "No model is in service.")
                : HealthCheckResult.Degraded("Loading the model."));
        }
    }

    // The detector loads on first use; the start-up warms it, and this check reports a failure.
    private sealed class FaceDetectorCheck(IServiceProvider services) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                services.GetRequiredService<FaceDetector>();
                return Task.FromResult(HealthCheckResult.Healthy("Loaded."));
            }
            catch (Exception e) when (e is FileNotFoundException or InvalidDataException or IOException)
            {
                return Task.FromResult(HealthCheckResult.Unhealthy($"The face detector failed to load: {e.Message}"));
            }
        }
    }
}
