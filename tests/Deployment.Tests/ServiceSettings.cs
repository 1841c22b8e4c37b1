using System.Collections;
using System.Reflection;
using ExpressionNet.Detection;

namespace Deployment.Tests;

/// <summary>
/// Which environment variables the service reads: its options (<c>Section__Property</c>, with
/// <c>__N</c> for an item of a list) and the few framework variables the deployment files set.
/// </summary>
internal static class ServiceSettings
{
    private static readonly HashSet<string> FrameworkVariables =
    [
        "ASPNETCORE_ENVIRONMENT",
        "ASPNETCORE_HTTP_PORTS",
        "NVIDIA_DRIVER_CAPABILITIES",
        "NVIDIA_VISIBLE_DEVICES",
    ];

    private static readonly Dictionary<string, Type> Sections = FindSections();

    /// <summary>Why the service would not read this variable, or null when it would.</summary>
    public static string? Problem(string variable)
    {
        if (FrameworkVariables.Contains(variable))
        {
            return null;
        }

        var parts = variable.Split("__");
        if (parts.Length < 2)
        {
            return $"{variable} is neither a service setting (Section__Property) nor a framework variable the service uses.";
        }

        if (!Sections.TryGetValue(parts[0], out var options))
        {
            return $"{variable}: the service has no settings section '{parts[0]}' (it has {string.Join(", ", Sections.Keys.Order())}).";
        }

        var property = options.GetProperty(parts[1], BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
        if (property is not { CanWrite: true })
        {
            return $"{variable}: {options.Name} has no settable property '{parts[1]}'.";
        }

        var isList = property.PropertyType != typeof(string) && typeof(IEnumerable).IsAssignableFrom(property.PropertyType);
        return parts.Length switch
        {
            2 => null,
            3 when isList && int.TryParse(parts[2], out _) => null,
            _ => $"{variable}: {options.Name}.{property.Name} has no part '{string.Join("__", parts[2..])}'.",
        };
    }

    // Every options class of the service names its section in a Section constant; the face
    // detector's options live in the library, which knows nothing of configuration sections.
    private static Dictionary<string, Type> FindSections()
    {
        var sections = typeof(Program).Assembly.GetTypes()
            .Select(type => (type, field: type.GetField("Section", BindingFlags.Public | BindingFlags.Static)))
            .Where(p => p.field is { IsLiteral: true })
            .ToDictionary(p => (string)p.field!.GetRawConstantValue()!, p => p.type, StringComparer.OrdinalIgnoreCase);
        sections["Detection"] = typeof(FaceDetectorOptions);
        return sections;
    }
}
