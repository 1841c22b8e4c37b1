using System.Reflection;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace ExpressionService.Operations;

/// <summary>The OpenAPI document (Swashbuckle) and Swagger UI.</summary>
public static class OpenApiDocumentation
{
    public const string DocumentName = "v1";

    /// <summary>Where Program maps the Prometheus exporter.</summary>
    public const string MetricsPath = "/metrics";
    private const string ApiKeyScheme = "ApiKey";

    public static IServiceCollection AddOpenApiDocumentation(this IServiceCollection services)
    {
        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(options =>
        {
            options.SwaggerDoc(DocumentName, new OpenApiInfo
            {
                Title = "ExpressionService",
                Version = DocumentName,
                Description = "Facial expression recognition (FaceNet2ExpNet): classify faces in images, train new models "
                    + "as background jobs, and manage the model registry.",
            });

            var xml = Path.Combine(AppContext.BaseDirectory, $"{Assembly.GetExecutingAssembly().GetName().Name}.xml");
            if (File.Exists(xml))
            {
                options.IncludeXmlComments(xml);
            }

            options.AddSecurityDefinition(ApiKeyScheme, new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = ApiKeyFilter.HeaderName,
                Description = "Needed to submit and cancel jobs and to promote or roll back models; reads are open.",
            });
            options.OperationFilter<ClassifyRequestBodyFilter>();
            options.OperationFilter<ApiKeyRequirementFilter>();
            options.DocumentFilter<OperationsDocumentFilter>();
        });
        return services;
    }

    public static WebApplication UseOpenApiDocumentation(this WebApplication app)
    {
        app.UseSwagger();
        app.UseSwaggerUI(options =>
        {
            options.SwaggerEndpoint($"/swagger/{DocumentName}/swagger.json", "ExpressionService");
            options.DocumentTitle = "ExpressionService";
        });
        return app;
    }

    // Endpoints guarded by the API key filter show the requirement (and a lock in Swagger UI).
    private sealed class ApiKeyRequirementFilter : IOperationFilter
    {
        public void Apply(OpenApiOperation operation, OperationFilterContext context)
        {
            if (!context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<RequiresApiKeyMetadata>().Any())
            {
                return;
            }

            operation.Security =
            [
                new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(ApiKeyScheme, context.Document)] = [] },
            ];
            Describe(operation, "401", "No API key was sent.");
            Describe(operation, "403", "The API key is not valid.");
        }

        // The responses themselves (problem details) come from the endpoint's metadata; this says when.
        private static void Describe(OpenApiOperation operation, string status, string description)
        {
            if (operation.Responses?.TryGetValue(status, out var response) == true && response is OpenApiResponse problem)
            {
                problem.Description = description;
            }
        }
    }

    // Health checks and the Prometheus exporter are middleware endpoints, which the API explorer
    // does not see; operators and orchestrators call them, so the document describes them here.
    private sealed class OperationsDocumentFilter : IDocumentFilter
    {
        private const string Tag = "Operations";

        public void Apply(OpenApiDocument document, DocumentFilterContext context)
        {
            document.Tags ??= new HashSet<OpenApiTag>();
            document.Tags.Add(new OpenApiTag { Name = Tag, Description = "Health probes and metrics, for orchestrators and monitoring." });
            document.Paths ??= [];
            document.Paths.Add(HealthEndpoints.LivePath, Get(
                "Liveness: 200 while the process runs.",
                "GetLiveness",
                new() { ["200"] = PlainText("The process is running: 'Healthy'.") }));
            document.Paths.Add(HealthEndpoints.ReadyPath, Get(
                "Readiness: 200 once a model is loaded and warmed up, 503 before or when it failed.",
                "GetReadiness",
                new()
                {
                    ["200"] = PlainText("A model is in service: 'Healthy'."),
                    ["503"] = PlainText("No model is in service yet, or it failed to load: 'Unhealthy'."),
                }));
            document.Paths.Add(MetricsPath, Get(
                "Prometheus metrics: requests, queue depth and wait, batch sizes, inference time, faces classified.",
                "GetMetrics",
                new() { ["200"] = PlainText("Metrics in the Prometheus text exposition format.") }));
        }

        private static OpenApiPathItem Get(string summary, string operationId, OpenApiResponses responses) => new()
        {
            Operations = new Dictionary<HttpMethod, OpenApiOperation>
            {
                [HttpMethod.Get] = new()
                {
                    Summary = summary,
                    OperationId = operationId,
                    Tags = new HashSet<OpenApiTagReference> { new(Tag) },
                    Responses = responses,
                },
            },
        };

        private static OpenApiResponse PlainText(string description) => new()
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["text/plain"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String } },
            },
        };
    }

    // /classify reads its body itself, so the generator cannot see it: describe the multipart
    // upload (which Swagger UI turns into a file picker) and the raw image body.
    private sealed class ClassifyRequestBodyFilter : IOperationFilter
    {
        public void Apply(OpenApiOperation operation, OperationFilterContext context)
        {
            if (!context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<ClassifyRequestBodyMetadata>().Any())
            {
                return;
            }

            var files = new OpenApiSchema
            {
                Type = JsonSchemaType.Array,
                Items = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" },
                Description = "One or more images (JPEG, PNG, BMP, GIF, WebP).",
            };
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Description = "The images: a multipart form with files in the field 'images', or one raw image.",
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["multipart/form-data"] = new()
                    {
                        Schema = new OpenApiSchema
                        {
                            Type = JsonSchemaType.Object,
                            Properties = new Dictionary<string, IOpenApiSchema> { ["images"] = files },
                            Required = new HashSet<string> { "images" },
                        },
                    },
                    ["image/*"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" } },
                },
            };
        }
    }
}
