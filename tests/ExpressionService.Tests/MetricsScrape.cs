using System.Globalization;
using System.Text.RegularExpressions;

namespace ExpressionService.Tests;

/// <summary>One scrape of /metrics, in Prometheus' text exposition format.</summary>
public sealed partial class MetricsScrape
{
    private readonly List<(string Name, Dictionary<string, string> Labels, double Value)> _samples = [];

    private MetricsScrape(string text)
    {
        Text = text;
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var match = SampleLine().Match(line);
            if (!match.Success)
            {
                continue;
            }

            var labels = LabelPair().Matches(match.Groups["labels"].Value)
                .ToDictionary(pair => pair.Groups["name"].Value, pair => pair.Groups["value"].Value);
            var value = double.Parse(match.Groups["value"].Value, CultureInfo.InvariantCulture);
            _samples.Add((match.Groups["name"].Value, labels, value));
        }
    }

    /// <summary>The scrape as the service sent it.</summary>
    public string Text { get; }

    public static async Task<MetricsScrape> ReadAsync(HttpClient client) =>
        new(await client.GetStringAsync("/metrics"));

    /// <summary>Whether the scrape declares a metric (it may have no samples yet, as a counter with labels).</summary>
    public bool Declares(string name) => Text.Contains($"# TYPE {name} ", StringComparison.Ordinal);

    /// <summary>The sum of a metric's samples whose labels include every given pair; 0 when there is none.</summary>
    public double Sum(string name, params (string Label, string Value)[] labels) =>
        _samples
            .Where(s => s.Name == name && labels.All(l => s.Labels.GetValueOrDefault(l.Label) == l.Value))
            .Sum(s => s.Value);

    [GeneratedRegex(@"^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})?\s+(?<value>\S+)$")]
    private static partial Regex SampleLine();

    [GeneratedRegex(@"(?<name>[a-zA-Z_][a-zA-Z0-9_]*)=""(?<value>(?:[^""\\]|\\.)*)""")]
    private static partial Regex LabelPair();
}
