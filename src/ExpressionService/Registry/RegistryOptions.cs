using System.ComponentModel.DataAnnotations;

namespace ExpressionService.Registry;

/// <summary>Settings of the model registry folder.</summary>
public sealed class RegistryOptions
{
    public const string Section = "Registry";

    /// <summary>
    /// The registry folder: <c>&lt;root&gt;/&lt;model&gt;/&lt;version&gt;/</c> and <c>aliases.json</c>.
    /// Relative paths are taken from the content root.
    /// </summary>
    [Required]
    public string Root { get; set; } = "data/registry";

    /// <summary>
    /// The checkpoint that seeds an empty registry as version 1 of its model, promoted to production.
    /// Relative paths are taken from the application's folder.
    /// </summary>
    public string? SeedModel { get; set; } = "models/default";

    /// <summary>
    /// How often the registry's aliases are read to follow promotions made by other instances
    /// sharing the registry.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan WatchInterval { get; set; } = TimeSpan.FromSeconds(5);
}
