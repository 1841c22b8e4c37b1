using System.Text;

namespace Deployment.Tests;

/// <summary>
/// Every docker command the deployment instructions give is one the repository's files support:
/// compose profiles and services that exist and can run together, build arguments the Dockerfile
/// declares, and run options that match the image's port, volumes and settings.
/// </summary>
public sealed class DeployInstructionsTests
{
    private static readonly Dockerfile Image = Dockerfile.Load(Repository.PathOf("Dockerfile"));

    public static TheoryData<string> Documents => new() { "README.md", "deploy/README.md" };

    [Theory]
    [MemberData(nameof(Documents))]
    public async Task EveryDockerCommandIsOneTheFilesSupport(string document)
    {
        var compose = await Compose.ServicesAsync();
        var defaultBackend = Image.GlobalArguments["TORCH_BACKEND"];
        var builtImages = compose.Keys.Select(compose.RequiredMap).ToDictionary(
            s => s.Required("image"),
            s => s.At("build", "args")?.String("TORCH_BACKEND") ?? defaultBackend);
        var commands = DockerCommands(Repository.ReadText(document)).ToList();
        var problems = new List<string>();

        foreach (var command in commands)
        {
            var found = command[1] switch
            {
                "compose" => await ComposeProblemsAsync(command[2..], compose),
                "build" => BuildProblems(command[2..], builtImages),
                "push" => builtImages.ContainsKey(command[^1]) ? [] : [$"no command before builds {command[^1]}"],
                "run" => RunProblems(command[2..], builtImages),
                _ => [$"docker {command[1]} is not a command these checks know"],
            };
            problems.AddRange(found.Select(p => $"`{string.Join(' ', command)}`: {p}"));
        }

        Assert.NotEmpty(commands);
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    private static async Task<List<string>> ComposeProblemsAsync(string[] arguments, YamlMap services)
    {
        var problems = new List<string>();
        var profiles = new List<string>();
        var index = 0;
        while (index < arguments.Length && arguments[index] == "--profile")
        {
            profiles.Add(arguments[index + 1]);
            index += 2;
        }

        var subcommand = arguments[index];
        var options = arguments[(index + 1)..].Where(a => a.StartsWith('-')).ToList();
        var named = arguments[(index + 1)..].Where(a => !a.StartsWith('-')).ToList();
        var known = services.Keys.ToList();
        IReadOnlyList<string> ProfilesOf(string service) => services.RequiredMap(service).Strings("profiles");

        problems.AddRange(profiles.Where(p => !known.Any(s => ProfilesOf(s).Contains(p))).Select(p => $"no profile '{p}'"));
        problems.AddRange(named.Where(s => !known.Contains(s)).Select(s => $"no service '{s}'"));
        problems.AddRange(named.Where(known.Contains).Where(s => !ProfilesOf(s).All(profiles.Contains))
            .Select(s => $"{s} needs its profile"));
        problems.AddRange(options.Except(["-d", "--build", "-f", "-v"]).Select(o => $"option {o} is not one these checks know"));
        if (subcommand is not ("up" or "down" or "ps" or "logs"))
        {
            problems.Add($"subcommand '{subcommand}' is not one these checks know");
        }

        if (subcommand == "up")
        {
            var started = named.Count > 0 ? named : known.Where(s => ProfilesOf(s).All(profiles.Contains)).ToList();
            var clashes = started.Where(known.Contains)
                .SelectMany(s => services.RequiredMap(s).Maps("ports").Select(p => (Service: s, Port: p.String("published"))))
                .GroupBy(p => p.Port)
                .Where(g => g.Count() > 1)
                .Select(g => $"{string.Join(" and ", g.Select(p => p.Service))} both publish port {g.Key}");
            problems.AddRange(clashes);
        }

        var config = await Compose.ValidateAsync(profiles);
        if (config.ExitCode != 0)
        {
            problems.Add($"docker-compose config -q fails with these profiles: {config.Error}");
        }

        return problems;
    }

    private static List<string> BuildProblems(string[] arguments, Dictionary<string, string> builtImages)
    {
        var problems = new List<string>();
        var backend = Image.GlobalArguments["TORCH_BACKEND"];
        var declared = Image.Stages.SelectMany(s => s.Instructions)
            .Where(i => i.Keyword == "ARG")
            .Select(i => i.Arguments.Split('=')[0])
            .Concat(Image.GlobalArguments.Keys)
            .ToHashSet();
        var backends = Image.Stages.Select(s => s.Name).OfType<string>()
            .Where(n => n.StartsWith("runtime-", StringComparison.Ordinal) && n != "runtime-base")
            .Select(n => n["runtime-".Length..])
            .ToList();

        string? tag = null;
        for (var i = 0; i < arguments.Length - 1; i += 2)
        {
            switch (arguments[i])
            {
                case "-t":
                    tag = arguments[i + 1];
                    break;
                case "--build-arg":
                    var (name, value) = (arguments[i + 1].Split('=')[0], arguments[i + 1].Split('=')[1]);
                    if (!declared.Contains(name))
                    {
                        problems.Add($"the Dockerfile declares no ARG {name}");
                    }
                    else if (name == "TORCH_BACKEND" && !backends.Contains(value))
                    {
                        problems.Add($"TORCH_BACKEND must be one of {string.Join(", ", backends)}");
                    }

                    backend = name == "TORCH_BACKEND" ? value : backend;
                    break;
                default:
                    problems.Add($"option {arguments[i]} is not one these checks know");
                    break;
            }
        }

        if (arguments[^1] != ".")
        {
            problems.Add("the build context must be the repository root, '.'");
        }

        if (tag is not null)
        {
            builtImages[tag] = backend;
        }

        return problems;
    }

    private static List<string> RunProblems(string[] arguments, Dictionary<string, string> builtImages)
    {
        var problems = new List<string>();
        var image = arguments[^1];
        var options = arguments[..^1];
        var gpus = false;
        for (var i = 0; i < options.Length; i++)
        {
            if (options[i] == "-d")
            {
                continue;
            }

            if (options[i] is not ("--gpus" or "-p" or "-v" or "-e") || i + 1 == options.Length)
            {
                problems.Add($"option {options[i]} is not one these checks know");
                continue;
            }

            var (option, value) = (options[i], options[++i]);
            switch (option)
            {
                case "--gpus":
                    gpus = true;
                    break;
                case "-p" when value.Split(':')[^1] != Image.Last("EXPOSE"):
                    problems.Add($"the image listens on {Image.Last("EXPOSE")}, not {value.Split(':')[^1]}");
                    break;
                case "-v" when !Image.Volumes.Contains(value.Split(':')[1]):
                    problems.Add($"{value.Split(':')[1]} is not a volume of the image");
                    break;
                case "-e" when ServiceSettings.Problem(value.Split('=')[0]) is { } problem:
                    problems.Add(problem);
                    break;
            }
        }

        if (!builtImages.TryGetValue(image, out var backend))
        {
            problems.Add($"{image} is built by no command before it, nor by docker-compose.yml");
        }
        else if (gpus != (backend == "cuda"))
        {
            problems.Add(gpus ? "--gpus with an image built for CPU" : "a CUDA image run without --gpus");
        }

        return problems;
    }

    // The docker commands of a Markdown document's fenced code blocks, as words, continuation
    // lines joined and quotes removed.
    private static IEnumerable<string[]> DockerCommands(string markdown)
    {
        var inBlock = false;
        var pending = "";
        foreach (var raw in markdown.Split('\n'))
        {
            var line = raw.Trim();
            if (line.StartsWith("```", StringComparison.Ordinal))
            {
                inBlock = !inBlock;
                continue;
            }

            if (!inBlock)
            {
                continue;
            }

            if (line.EndsWith('\\'))
            {
                pending += line[..^1] + " ";
                continue;
            }

            var command = pending + line;
            pending = "";
            if (command.StartsWith("docker ", StringComparison.Ordinal))
            {
                yield return Words(command);
            }
        }
    }

    private static string[] Words(string command)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        char? quote = null;
        foreach (var c in command)
        {
            if (quote is not null)
            {
                if (c == quote)
                {
                    quote = null;
                }
                else
                {
                    word.Append(c);
                }
            }
            else if (c is '"' or '\'')
            {
                quote = c;
            }
            else if (char.IsWhiteSpace(c))
            {
                if (word.Length > 0)
                {
                    words.Add(word.ToString());
                    word.Clear();
                }
            }
            else
            {
                word.Append(c);
            }
        }

        if (word.Length > 0)
        {
            words.Add(word.ToString());
        }

        return [.. words];
    }
}
