using ExpressionNet.Checkpoints;
using ExpressionService.Operations;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ExpressionService.Registry;

/// <summary>Maps <c>/models</c>: the registry's models and versions, their reports, promotion and rollback.</summary>
public static class ModelEndpoints
{
    public static IEndpointRouteBuilder MapModels(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/models").WithTags("Models");

        group.MapGet("", ListModels)
            .WithName("ListModels")
            .WithSummary("List the registry's models with their versions and aliases.");
        group.MapGet("/{name}/versions/{version:int}", GetVersion)
            .WithName("GetModelVersion")
            .WithSummary("Get one version's metadata: labels, architecture, training settings, metrics and report files.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapGet("/{name}/versions/{version:int}/report/{file}", GetReportFile)
            .WithName("GetModelReportFile")
            .WithSummary("Download a file of a version's report: metrics.json or a PNG plot.")
            .Produces<Stream>(StatusCodes.Status200OK, "application/json", "image/png")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{name}/versions/{version:int}/promote", PromoteAsync)
            .WithName("PromoteModelVersion")
            .WithSummary("Put a version in service: it is loaded, verified and warmed up before it replaces the current one.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .RequireApiKey();
        group.MapPost("/{name}/rollback", RollbackAsync)
            .WithName("RollbackModel")
            .WithSummary("Put a model's previous production version back in service.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .RequireApiKey();

        return app;
    }

    internal static Ok<IReadOnlyList<ModelSummary>> ListModels(ModelRegistry registry)
    {
        var aliases = registry.Aliases();
        IReadOnlyList<ModelSummary> models = registry.Models()
            .Select(m =>
            {
                var a = aliases.For(m.Name);
                return new ModelSummary(m.Name, m.Versions, a.Production, a.Previous, aliases.Serving == m.Name && a.Production is not null);
            })
            .ToList();
        return TypedResults.Ok(models);
    }

    /// <param name="name">The model's name in the registry.</param>
    /// <param name="version">The version number.</param>
    /// <param name="registry">The model registry.</param>
    internal static Results<Ok<ModelVersionDetails>, ProblemHttpResult> GetVersion(string name, int version, ModelRegistry registry)
    {
        if (!registry.Exists(name, version))
        {
            return NotFound(name, version);
        }

        var folder = registry.VersionFolder(name, version);
        ModelMetadata metadata;
        try
        {
            metadata = ModelCheckpoint.ReadMetadata(folder);
        }
        catch (CheckpointException e)
        {
            return Problems.Create(StatusCodes.Status422UnprocessableEntity, "Unreadable version", e.Message);
        }

        var aliases = registry.Aliases().For(name);
        var names = new List<string>();
        if (aliases.Production == version)
        {
            names.Add("production");
        }

        if (aliases.Previous == version)
        {
            names.Add("previous");
        }

        return TypedResults.Ok(new ModelVersionDetails(name, version, names, metadata, ReportFiles(folder)));
    }

    /// <param name="name">The model's name in the registry.</param>
    /// <param name="version">The version number.</param>
    /// <param name="file">The report file's name, as listed in the version's details.</param>
    /// <param name="registry">The model registry.</param>
    internal static Results<PhysicalFileHttpResult, ProblemHttpResult> GetReportFile(
        string name, int version, string file, ModelRegistry registry)
    {
        if (!registry.Exists(name, version))
        {
            return NotFound(name, version);
        }

        // Only names listed in the report folder are served, so no path can reach outside it.
        var folder = registry.VersionFolder(name, version);
        if (!ReportFiles(folder).Contains(file, StringComparer.Ordinal))
        {
            return Problems.Create(StatusCodes.Status404NotFound, "No such report file",
                $"Version {version} of '{name}' has no report file '{file}'.");
        }

        var contentType = Path.GetExtension(file) switch
        {
            ".png" => "image/png",
            ".json" => "application/json",
            _ => "application/octet-stream",
        };
        return TypedResults.PhysicalFile(Path.Combine(folder, "report", file), contentType);
    }

    /// <param name="name">The model's name in the registry.</param>
    /// <param name="version">The version number.</param>
    /// <param name="registry">The model registry.</param>
    /// <param name="promotion">Loads, verifies and swaps in versions.</param>
    /// <param name="cancellationToken">Cancelled when the client goes away.</param>
    internal static async Task<Results<Ok<PromotionResult>, ProblemHttpResult>> PromoteAsync(
        string name, int version, ModelRegistry registry, ModelPromotion promotion, CancellationToken cancellationToken)
    {
        if (!registry.Exists(name, version))
        {
            return NotFound(name, version);
        }

        try
        {
            return TypedResults.Ok(await promotion.PromoteAsync(new ModelVersionRef(name, version), cancellationToken));
        }
        catch (CheckpointException e)
        {
            return Refused(e);
        }
    }

    /// <param name="name">The model's name in the registry.</param>
    /// <param name="registry">The model registry.</param>
    /// <param name="promotion">Loads, verifies and swaps in versions.</param>
    /// <param name="cancellationToken">Cancelled when the client goes away.</param>
    internal static async Task<Results<Ok<PromotionResult>, ProblemHttpResult>> RollbackAsync(
        string name, ModelRegistry registry, ModelPromotion promotion, CancellationToken cancellationToken)
    {
        if (registry.Versions(name).Count == 0)
        {
            return Problems.Create(StatusCodes.Status404NotFound, "No such model", $"The registry has no model '{name}'.");
        }

        try
        {
            var result = await promotion.RollbackAsync(name, cancellationToken);
            return result is null
                ? Problems.Create(StatusCodes.Status409Conflict, "Nothing to roll back to", $"'{name}' has no previous version.")
                : TypedResults.Ok(result);
        }
        catch (CheckpointException e)
        {
            return Refused(e);
        }
    }

    private static ProblemHttpResult Refused(CheckpointException e) =>
        Problems.Create(StatusCodes.Status422UnprocessableEntity, "Version refused",
            $"The version was not put in service and the current model keeps serving: {e.Message}");

    private static ProblemHttpResult NotFound(string name, int version) =>
        Problems.Create(StatusCodes.Status404NotFound, "No such model version", $"The registry has no version {version} of '{name}'.");

    private static List<string> ReportFiles(string versionFolder)
    {
        var report = Path.Combine(versionFolder, "report");
        return Directory.Exists(report)
            ? Directory.EnumerateFiles(report).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList()
            : [];
    }
}
