using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace ExpressionService.Operations;

/// <summary>
/// Guards state-changing endpoints: 401 without an <c>X-Api-Key</c> header, 403 with a key that is
/// not configured. Keys are compared in constant time and never logged.
/// </summary>
public sealed class ApiKeyFilter(IOptionsMonitor<ApiKeyOptions> options) : IEndpointFilter
{
    public const string HeaderName = "X-Api-Key";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var presented = context.HttpContext.Request.Headers[HeaderName].ToString();
        if (presented.Length == 0)
        {
            context.HttpContext.Response.Headers.WWWAuthenticate = HeaderName;
            return Problems.Create(StatusCodes.Status401Unauthorized, "API key required",
                $"This call changes state and needs an API key in the {HeaderName} header.");
        }

        var bytes = Encoding.UTF8.GetBytes(presented);
        var known = options.CurrentValue.ApiKeys.Any(key => CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(key), bytes));
        if (!known)
        {
            return Problems.Create(StatusCodes.Status403Forbidden, "API key refused", "The API key is not valid for this service.");
        }

        return await next(context);
    }
}

/// <summary>Applies <see cref="ApiKeyFilter"/> to an endpoint and documents the requirement.</summary>
public static class ApiKeyEndpointExtensions
{
    public static TBuilder RequireApiKey<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.AddEndpointFilter<TBuilder, ApiKeyFilter>();
        builder.WithMetadata(new RequiresApiKeyMetadata());
        builder.ProducesProblem(StatusCodes.Status401Unauthorized);
        builder.ProducesProblem(StatusCodes.Status403Forbidden);
        return builder;
    }
}

/// <summary>Marks an endpoint as needing an API key, for the OpenAPI document.</summary>
public sealed class RequiresApiKeyMetadata;
