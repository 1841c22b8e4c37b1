namespace ExpressionService.Operations;

/// <summary>The API keys that may change state (submit and cancel jobs, promote and roll back models).</summary>
public sealed class ApiKeyOptions
{
    public const string Section = "Auth";

    /// <summary>Accepted values of the <c>X-Api-Key</c> header. With none, every state-changing call is refused.</summary>
    public IReadOnlyList<string> ApiKeys { get; set; } = [];
}
