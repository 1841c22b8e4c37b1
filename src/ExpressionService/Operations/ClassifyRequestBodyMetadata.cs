namespace ExpressionService.Operations;

/// <summary>
/// Marks the /classify endpoint, whose handler reads the body itself (a multipart form or a raw
/// image), so that the OpenAPI document can describe both bodies.
/// </summary>
public sealed class ClassifyRequestBodyMetadata;
