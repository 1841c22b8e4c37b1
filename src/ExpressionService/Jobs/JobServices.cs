using Microsoft.Extensions.Options;

namespace ExpressionService.Jobs;

/// <summary>Registers the job store, validation, events and (where enabled) the runner.</summary>
public static class JobServices
{
    public static IServiceCollection AddJobs(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<JobsOptions>().BindConfiguration(JobsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(provider =>
        {
            var options = provider.GetRequiredService<IOptions<JobsOptions>>().Value;
            var environment = provider.GetRequiredService<IHostEnvironment>();
            return new JobStore(Path.Combine(environment.ContentRootPath, options.Database));
        });
        services.AddSingleton<JobValidator>();
        services.AddSingleton<JobEvents>();
        services.AddSingleton<JobSignal>();

        if (configuration.GetValue($"{JobsOptions.Section}:{nameof(JobsOptions.RunnerEnabled)}", defaultValue: true))
        {
            services.AddSingleton<JobRunner>();
            services.AddHostedService(provider => provider.GetRequiredService<JobRunner>());
        }

        return services;
    }
}
