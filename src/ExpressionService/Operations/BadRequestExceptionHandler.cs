using Microsoft.AspNetCore.Diagnostics;

namespace ExpressionService.Operations;

/// <summary>
/// Answers a request the framework turns away (a query value that does not bind, a body the server
/// refuses) with the 4xx and the reason its <see cref="BadHttpRequestException"/> carries, as problem
/// details, where the exception handler would answer 500.
/// </summary>
internal sealed class BadRequestExceptionHandler(IProblemDetailsService problems) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(
        HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException badRequest)
        {
            return false;
        }

        context.Response.StatusCode = badRequest.StatusCode;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            Exception = exception,
            ProblemDetails = { Status = badRequest.StatusCode, Detail = badRequest.Message },
        });
    }
}
