using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using ExpressionNet.Checkpoints;

namespace ExpressionService.Registry;

/// <summary>A model name with its published versions, oldest first.</summary>
public sealed record RegisteredModel(string Name, IReadOnlyList<int> Versions);

/// <summary>A model version.</summary>
public sealed record ModelVersionRef(string Model, int Version);

/// <summary>A model's aliases: its production version and the one that production replaced.</summary>
public sealed record ModelAliases(int? Production, int? Previous);

/// <summary>
/// The registry's aliases: per model, <c>production</c> and <c>previous</c>; and which model's
/// production version the service serves.
/// </summary>
public sealed record RegistryAliases(string? Serving, IReadOnlyDictionary<string, ModelAliases> Models)
{
    public static RegistryAliases Empty { get; } = new(null, new Dictionary<string, ModelAliases>());

    /// <summary>The version in service, if any.</summary>
    [JsonIgnore]
    public ModelVersionRef? Production =>
        Serving is not null && Models.TryGetValue(Serving, out var aliases) && aliases.Production is { } version
            ? new ModelVersionRef(Serving, version)
            : null;

    /// <summary>A model's aliases (none set for an unknown model).</summary>
    public ModelAliases For(string model) => Models.GetValueOrDefault(model) ?? new ModelAliases(null, null);
}

/// <summary>
/// The model registry, a folder of immutable, numbered versions: <c>&lt;model&gt;/&lt;version&gt;/</c>
/// holds a checkpoint (weights, metadata) and its report. A version is written under a temporary
/// name and renamed into place, so a crash never leaves half of one; the aliases live in one small
/// file that is replaced atomically.
/// </summary>
public sealed partial class ModelRegistry
{
    private const string AliasesFile = "aliases.json";
    private const string TemporaryPrefix = ".incoming-";
    private static readonly JsonSerializerOptions Json = ModelCheckpoint.JsonOptions;

    // Publishing and alias changes are rare; one lock keeps version numbers and the alias file consistent.
    private readonly Lock _lock = new();

    public ModelRegistry(string root)
    {
        Root = Path.GetFullPath(root);
        Directory.CreateDirectory(Root);
    }

    /// <summary>The registry folder.</summary>
    public string Root { get; }

    /// <summary>Whether a name can be used for a model: lower-case letters, digits, '.', '-', '_'.</summary>
    public static bool IsValidName(string name) => NamePattern().IsMatch(name);

    /// <summary>Every model with its versions, by name.</summary>
    public IReadOnlyList<RegisteredModel> Models() =>
        Directory.EnumerateDirectories(Root)
            .Select(Path.GetFileName)
            .Where(name => name is not null && IsValidName(name))
            .Select(name => new RegisteredModel(name!, Versions(name!)))
            .Where(model => model.Versions.Count > 0)
            .OrderBy(model => model.Name, StringComparer.Ordinal)
            .ToList();

    /// <summary>The published versions of a model, oldest first; empty for an unknown model.</summary>
    public IReadOnlyList<int> Versions(string model)
    {
        var folder = Path.Combine(Root, model);
        if (!IsValidName(model) || !Directory.Exists(folder))
        {
            return [];
        }

        return Directory.EnumerateDirectories(folder)
            .Select(Path.GetFileName)
            .Select(name => int.TryParse(name, out var version) && version > 0 ? version : 0)
            .Where(version => version > 0)
            .Order()
            .ToList();
    }

    /// <summary>Whether a version exists.</summary>
    public bool Exists(string model, int version) => Versions(model).Contains(version);

    /// <summary>The folder of a version (whether or not it exists).</summary>
    public string VersionFolder(string model, int version) =>
        IsValidName(model)
            ? Path.Combine(Root, model, version.ToString(System.Globalization.CultureInfo.InvariantCulture))
            : throw new ArgumentException($"'{model}' is not a valid model name.", nameof(model));

    /// <summary>
    /// Copies a checkpoint folder into the registry as the model's next version and returns it.
    /// The copy's metadata records its name and version.
    /// </summary>
    public int Publish(string model, string checkpointFolder)
    {
        if (!IsValidName(model))
        {
            throw new ArgumentException($"'{model}' is not a valid model name.", nameof(model));
        }

        var metadata = ModelCheckpoint.ReadMetadata(checkpointFolder);
        var modelFolder = Path.Combine(Root, model);
        Directory.CreateDirectory(modelFolder);

        var incoming = Path.Combine(modelFolder, TemporaryPrefix + Guid.NewGuid().ToString("N"));
        try
        {
            CopyFolder(checkpointFolder, incoming);
            lock (_lock)
            {
                var version = Versions(model).DefaultIfEmpty(0).Max() + 1;
                ModelCheckpoint.WriteMetadata(incoming, metadata with { Name = model, Version = version });
                Directory.Move(incoming, VersionFolder(model, version));
                return version;
            }
        }
        finally
        {
            if (Directory.Exists(incoming))
            {
                Directory.Delete(incoming, recursive: true);
            }
        }
    }

    /// <summary>
    /// Deletes what crashed publications left behind: incoming folders untouched for longer than
    /// <paramref name="abandonedAfter"/>, so that a publication in progress in another instance
    /// sharing the registry is left alone.
    /// </summary>
    public void RemoveIncomplete(TimeSpan abandonedAfter)
    {
        var cutoff = DateTime.UtcNow - abandonedAfter;
        foreach (var folder in Directory.EnumerateDirectories(Root)
                     .SelectMany(Directory.EnumerateDirectories)
                     .Where(f => Path.GetFileName(f).StartsWith(TemporaryPrefix, StringComparison.Ordinal))
                     .Where(f => Directory.GetLastWriteTimeUtc(f) < cutoff))
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>The current aliases.</summary>
    /// <exception cref="InvalidDataException">The aliases file is not valid JSON of its shape.</exception>
    public RegistryAliases Aliases()
    {
        var path = Path.Combine(Root, AliasesFile);
        if (!File.Exists(path))
        {
            return RegistryAliases.Empty;
        }

        try
        {
            return JsonSerializer.Deserialize<RegistryAliases>(File.ReadAllBytes(path), Json) ?? RegistryAliases.Empty;
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"The registry's aliases file '{path}' is not valid: {e.Message}", e);
        }
    }

    /// <summary>
    /// Makes a version its model's production version (the one it replaces becomes previous) and
    /// that model the one in service.
    /// </summary>
    public RegistryAliases Promote(ModelVersionRef version)
    {
        lock (_lock)
        {
            var current = Aliases();
            var aliases = current.For(version.Model);
            var updated = aliases.Production == version.Version
                ? aliases
                : new ModelAliases(version.Version, aliases.Production);
            return WriteAliases(current, version.Model, updated);
        }
    }

    /// <summary>
    /// Swaps a model's production and previous versions and puts the model in service; null when
    /// the model has no previous version.
    /// </summary>
    public RegistryAliases? Rollback(string model)
    {
        lock (_lock)
        {
            var current = Aliases();
            var aliases = current.For(model);
            return aliases.Previous is null
                ? null
                : WriteAliases(current, model, new ModelAliases(aliases.Previous, aliases.Production));
        }
    }

    private RegistryAliases WriteAliases(RegistryAliases current, string model, ModelAliases changed)
    {
        var models = new Dictionary<string, ModelAliases>(current.Models, StringComparer.Ordinal) { [model] = changed };
        var aliases = new RegistryAliases(model, models);
        var path = Path.Combine(Root, AliasesFile);
        var temporary = path + ".tmp";
        File.WriteAllBytes(temporary, JsonSerializer.SerializeToUtf8Bytes(aliases, Json));
        File.Move(temporary, path, overwrite: true);
        return aliases;
    }

    private static void CopyFolder(string source, string target)
    {
        Directory.CreateDirectory(target);
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var destination = Path.Combine(target, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination);
        }
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,63}$")]
    private static partial Regex NamePattern();
}
