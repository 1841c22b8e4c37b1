using System.Text.Json;
using System.Text.RegularExpressions;

namespace Deployment.Tests;

/// <summary>One instruction of a Dockerfile, its continuation lines joined.</summary>
internal sealed record DockerInstruction(string Keyword, string Arguments);

/// <summary>A build stage: its base (an image or an earlier stage) and its instructions.</summary>
internal sealed record DockerStage(string? Name, string From, IReadOnlyList<DockerInstruction> Instructions);

/// <summary>
/// Just enough of a Dockerfile reader to check what the image promises: the stages, and for a
/// build argument's value the instructions that make the final image.
/// </summary>
internal sealed partial class Dockerfile
{
    private Dockerfile(IReadOnlyList<DockerStage> stages, IReadOnlyDictionary<string, string> globalArguments)
    {
        Stages = stages;
        GlobalArguments = globalArguments;
    }

    public IReadOnlyList<DockerStage> Stages { get; }

    /// <summary>The ARGs declared before the first FROM, with their defaults.</summary>
    public IReadOnlyDictionary<string, string> GlobalArguments { get; }

    public static Dockerfile Load(string path)
    {
        var stages = new List<DockerStage>();
        var globals = new Dictionary<string, string>(StringComparer.Ordinal);
        string? name = null;
        string? from = null;
        var instructions = new List<DockerInstruction>();

        foreach (var instruction in Instructions(File.ReadAllLines(path)))
        {
            if (instruction.Keyword == "FROM")
            {
                if (from is not null)
                {
                    stages.Add(new DockerStage(name, from, instructions));
                }

                var match = FromPattern().Match(instruction.Arguments);
                from = match.Groups["image"].Value;
                name = match.Groups["name"].Success ? match.Groups["name"].Value : null;
                instructions = [];
            }
            else if (from is null && instruction.Keyword == "ARG")
            {
                var (key, value) = Split(instruction.Arguments);
                globals[key] = value;
            }
            else
            {
                instructions.Add(instruction);
            }
        }

        if (from is not null)
        {
            stages.Add(new DockerStage(name, from, instructions));
        }

        return new Dockerfile(stages, globals);
    }

    public DockerStage Stage(string name) => Stages.Single(s => s.Name == name);

    /// <summary>
    /// The instructions that make the final image when the build arguments have these values
    /// (the rest keep their defaults), from the external base image's first stage to the last.
    /// </summary>
    public IReadOnlyList<DockerInstruction> FinalImage(IReadOnlyDictionary<string, string>? arguments = null)
    {
        var values = new Dictionary<string, string>(GlobalArguments, StringComparer.Ordinal);
        foreach (var (key, value) in arguments ?? new Dictionary<string, string>())
        {
            values[key] = value;
        }

        var chain = new List<DockerStage>();
        var stage = Stages[^1];
        while (true)
        {
            chain.Insert(0, stage);
            var from = ArgumentPattern().Replace(stage.From, m => values[m.Groups[1].Value]);
            var previous = Stages.TakeWhile(s => s != stage).LastOrDefault(s => s.Name == from);
            if (previous is null)
            {
                break;
            }

            stage = previous;
        }

        return chain.SelectMany(s => s.Instructions).ToList();
    }

    /// <summary>The environment the final image sets.</summary>
    public IReadOnlyDictionary<string, string> Environment(IReadOnlyDictionary<string, string>? arguments = null) =>
        FinalImage(arguments)
            .Where(i => i.Keyword == "ENV")
            .SelectMany(i => i.Arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Select(Split)
            .GroupBy(p => p.Key)
            .ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal);

    /// <summary>The arguments of the final image's last instruction with this keyword (VOLUME, EXPOSE, ...).</summary>
    public string Last(string keyword) => FinalImage().Last(i => i.Keyword == keyword).Arguments;

    /// <summary>The final image's volumes.</summary>
    public IReadOnlyList<string> Volumes => JsonArray(Last("VOLUME"));

    /// <summary>The final image's entry point, in exec form.</summary>
    public IReadOnlyList<string> EntryPoint => JsonArray(Last("ENTRYPOINT"));

    /// <summary>The final image's health check command, in exec form.</summary>
    public IReadOnlyList<string> HealthCheck
    {
        get
        {
            var arguments = Last("HEALTHCHECK");
            return JsonArray(arguments[(arguments.IndexOf("CMD ", StringComparison.Ordinal) + 4)..]);
        }
    }

    public static IReadOnlyList<string> JsonArray(string text) => JsonSerializer.Deserialize<string[]>(text.Trim()) ?? [];

    private static (string Key, string Value) Split(string assignment)
    {
        var equals = assignment.IndexOf('=', StringComparison.Ordinal);
        return equals < 0 ? (assignment.Trim(), "") : (assignment[..equals].Trim(), assignment[(equals + 1)..].Trim());
    }

    private static IEnumerable<DockerInstruction> Instructions(IEnumerable<string> lines)
    {
        var pending = "";
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (line.StartsWith('#') || (line.Length == 0 && pending.Length == 0))
            {
                continue;
            }

            if (line.EndsWith('\\'))
            {
                pending += line[..^1].Trim() + " ";
                continue;
            }

            var text = (pending + line).Trim();
            pending = "";
            if (text.Length == 0)
            {
                continue;
            }

            var space = text.IndexOf(' ', StringComparison.Ordinal);
            yield return space < 0
                ? new DockerInstruction(text.ToUpperInvariant(), "")
                : new DockerInstruction(text[..space].ToUpperInvariant(), text[(space + 1)..].Trim());
        }
    }

    [GeneratedRegex(@"^(--\S+\s+)*(?<image>\S+)(\s+AS\s+(?<name>\S+))?$", RegexOptions.IgnoreCase)]
    private static partial Regex FromPattern();

    [GeneratedRegex(@"\$\{(\w+)\}")]
    private static partial Regex ArgumentPattern();
}
