using ExpressionNet.Detection;
using ExpressionNet.Training;
using ExpressionNet.Weights;
using Microsoft.Extensions.Options;

namespace ExpressionService.Classification;

/// <summary>Registers the classification pipeline: intake, face detector, queue, worker and model host.</summary>
public static class ClassificationServices
{
    public static IServiceCollection AddClassification(this IServiceCollection services)
    {
        services.AddOptions<BatchingOptions>().BindConfiguration(BatchingOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<LimitsOptions>().BindConfiguration(LimitsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<FaceDetectorOptions>().BindConfiguration("Detection").ValidateDataAnnotations().ValidateOnStart();

        services.AddSingleton(provider => FaceDetector.Load(
            FaceApiModels.DefaultDirectory,
            provider.GetRequiredService<IOptions<FaceDetectorOptions>>().Value,
            Devices.Resolve(provider.GetRequiredService<IOptions<BatchingOptions>>().Value.Device)));
        services.AddSingleton<ImageIntake>();
        services.AddSingleton<ModelHost>();
        services.AddSingleton<InferenceQueue>();
        services.AddHostedService<InferenceWorker>();
        return services;
    }
}
