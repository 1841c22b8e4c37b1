using Microsoft.AspNetCore.Http.HttpResults;

namespace ExpressionService.Operations;

/// <summary>RFC 9457 problem details for the service's own errors.</summary>
internal static class Problems
{
    /// <summary>Problem details for every error response, with the reason for those the framework turns away.</summary>
    public static IServiceCollection AddProblemResponses(this IServiceCollection services)
    {
        services.AddProblemDetails();
        services.AddExceptionHandler<BadRequestExceptionHandler>();

        // Outside Development an unbindable parameter is a bare 400; thrown, it reaches the handler with its reason.
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        return services;
    }

    /// <summary>A problem with a status, a short title and a detail for the client; optionally the file it concerns.</summary>
    public static ProblemHttpResult Create(int status, string title, string detail, string? file = null) =>
        TypedResults.Problem(
            detail: detail,
            statusCode: status,
            title: title,
            extensions: file is null ? null : new Dictionary<string, object?> { ["file"] = file });

    /// <summary>A 400 listing every invalid field, as validation problem details.</summary>
    public static ValidationProblem Invalid(IDictionary<string, string[]> errors, string detail) =>
        TypedResults.ValidationProblem(errors, detail: detail, title: "The request is not valid");
}
