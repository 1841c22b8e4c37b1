using ExpressionService.Classification;
using ExpressionService.Registry;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ExpressionService.Operations;

/// <summary>Liveness, readiness and metrics endpoints.</summary>
public static class HealthEndpoints
{
    public const string LivePath = "/health/live";
    public const string ReadyPath = "/health/ready";
    private const string ReadyTag = "ready";

    public static IServiceCollection AddOperations(this IServiceCollection services)
    {
        services.AddSingleton<ServiceMetrics>();
        services.AddOptions<ApiKeyOptions>().BindConfiguration(ApiKeyOptions.Section);
        services.AddHealthChecks().AddCheck<ModelReadyCheck>("model", tags: [ReadyTag]);
        return services;
    }

    public static IEndpointRouteBuilder MapOperations(this IEndpointRouteBuilder app)
    {
        // Liveness runs no checks: the process answering is the signal. The OpenAPI document
        // describes both endpoints (see OpenApiDocumentation), as the API explorer cannot see them.
        app.MapHealthChecks(LivePath, new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks(ReadyPath, new HealthCheckOptions { Predicate = c => c.Tags.Contains(ReadyTag) });
        return app;
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
            return Task.FromResult(HealthCheckResult.Unhealthy(
                startup?.Failure ?? (startup?.Finished == true ? "No model is in service." : "Loading the model.")));
        }
    }
}
