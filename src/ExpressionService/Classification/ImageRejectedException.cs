namespace ExpressionService.Classification;

/// <summary>
/// An upload the service will not process; carries the HTTP status and the problem details that
/// tell the client which image was wrong and why.
/// </summary>
public sealed class ImageRejectedException(int status, string title, string detail, string? file = null)
    : Exception(detail)
{
    public int Status { get; } = status;

    public string Title { get; } = title;

    public string? File { get; } = file;
}
