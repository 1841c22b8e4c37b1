using Microsoft.Extensions.Options;

namespace ExpressionService.Registry;

/// <summary>Registers the model registry and the start-up that puts its production version in service.</summary>
public static class RegistryServices
{
    public static IServiceCollection AddRegistry(this IServiceCollection services)
    {
        services.AddOptions<RegistryOptions>().BindConfiguration(RegistryOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(provider =>
        {
            var root = provider.GetRequiredService<IOptions<RegistryOptions>>().Value.Root;
            var environment = provider.GetRequiredService<IHostEnvironment>();
            return new ModelRegistry(Path.Combine(environment.ContentRootPath, root));
        });
        services.AddSingleton<ServingModelLoader>();
        services.AddSingleton<ModelPromotion>();
        services.AddHostedService<RegistryStartup>();
        services.AddHostedService<RegistryWatcher>();
        return services;
    }
}
