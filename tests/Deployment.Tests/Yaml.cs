using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace Deployment.Tests;

/// <summary>A YAML mapping, read without a schema: scalars are strings, '&lt;&lt;' merge keys are applied.</summary>
internal sealed class YamlMap(IDictionary<object, object?> values)
{
    private static readonly IDeserializer Deserializer = new DeserializerBuilder().Build();

    public IEnumerable<string> Keys => values.Keys.Select(k => k.ToString()!);

    /// <summary>Every document of a YAML text.</summary>
    public static IReadOnlyList<YamlMap> ParseAll(string text)
    {
        var parser = new MergingParser(new Parser(new StringReader(text)));
        parser.Consume<StreamStart>();
        var documents = new List<YamlMap>();
        while (parser.Accept<DocumentStart>(out _))
        {
            if (Deserializer.Deserialize(parser) is IDictionary<object, object?> document)
            {
                documents.Add(new YamlMap(document));
            }
        }

        return documents;
    }

    public static YamlMap Parse(string text) => ParseAll(text).Single();

    public string? String(string key) => values.TryGetValue(key, out var value) ? value?.ToString() : null;

    public string Required(string key) => String(key) ?? throw new KeyNotFoundException($"No '{key}' in {Describe()}.");

    public YamlMap? Map(string key) =>
        values.TryGetValue(key, out var value) && value is IDictionary<object, object?> map ? new YamlMap(map) : null;

    public YamlMap RequiredMap(string key) => Map(key) ?? throw new KeyNotFoundException($"No mapping '{key}' in {Describe()}.");

    /// <summary>The mappings of a sequence (empty when the key is absent).</summary>
    public IReadOnlyList<YamlMap> Maps(string key) =>
        values.TryGetValue(key, out var value) && value is List<object?> items
            ? items.OfType<IDictionary<object, object?>>().Select(m => new YamlMap(m)).ToList()
            : [];

    /// <summary>The scalars of a sequence (empty when the key is absent).</summary>
    public IReadOnlyList<string> Strings(string key) =>
        values.TryGetValue(key, out var value) && value is List<object?> items
            ? items.Select(i => i?.ToString() ?? "").ToList()
            : [];

    /// <summary>A nested value by its path of keys, e.g. ("spec", "template", "spec").</summary>
    public YamlMap? At(params string[] path) => path.Aggregate<string, YamlMap?>(this, (map, key) => map?.Map(key));

    private string Describe() => $"{{{string.Join(", ", Keys.Take(6))}}}";
}
