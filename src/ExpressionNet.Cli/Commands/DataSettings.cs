using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Serialization;
using ExpressionNet.Checkpoints;
using ExpressionNet.Data;
using ExpressionNet.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ExpressionNet.Cli.Commands;

/// <summary>Options that say which images to read; shared by every command that reads a data set.</summary>
internal class DataSettings : CommandSettings
{
    [CommandOption("-c|--config <FILE>")]
    [Description("A JSON file with a \"data\" section (a data set, as the options below) and a \"training\" section "
        + "(every training setting; see configs/). Options given on the command line win.")]
    public string? Config { get; init; }

    [CommandOption("-d|--data <FOLDER>")]
    [Description("The data set's root folder: one folder of images per label, optionally under train/ and test/.")]
    public string? Data { get; init; }

    [CommandOption("--train <LOCATION>")]
    [Description("Training images: a folder under the root, optionally ending in a file pattern. Default: train/ if present, else the root.")]
    public string? Train { get; init; }

    [CommandOption("--validation <LOCATION>")]
    [Description("Validation images, like --train (e.g. test/PublicTest_*). Default: validation/ if present, else split off the training subjects.")]
    public string? Validation { get; init; }

    [CommandOption("--test <LOCATION>")]
    [Description("Test images, like --train (e.g. test/PrivateTest_*). Default: test/ if present.")]
    public string? Test { get; init; }

    [CommandOption("--manifest <CSV>")]
    // Spectre.Console renders descriptions as markup, where a literal bracket is written twice.
    [Description("A CSV manifest under the root listing path,label[[,subject]] instead of label folders.")]
    public string? Manifest { get; init; }

    [CommandOption("--subject-pattern <REGEX>")]
    [Description("A regular expression on file names whose group 'subject' (or first group) names the person, "
        + "e.g. '^(\\d+)' for 001.jpg. Splits and folds never share a subject.")]
    public string? SubjectPattern { get; init; }

    [CommandOption("--labels <LIST>")]
    [Description("Comma-separated labels to use, in order. Default: every label folder, sorted.")]
    public string? Labels { get; init; }

    public override ValidationResult Validate()
    {
        if (Config is not null && !File.Exists(Config))
        {
            return ValidationResult.Error($"The configuration file '{Config}' does not exist.");
        }

        return ValidationResult.Success();
    }

    /// <summary>The configuration file's sections, or defaults when there is no file.</summary>
    public ConfigFile ReadConfig() => Config is null ? new ConfigFile() : ConfigFile.Read(Config);

    /// <summary>The data set, from the configuration file overridden by the options.</summary>
    public DatasetSpec DatasetSpec(ConfigFile config)
    {
        var fromFile = config.Data;
        var root = Data ?? fromFile?.Root
            ?? throw new ArgumentException("No data set was given: use --data <FOLDER> or a \"data\" section in --config.");
        return new DatasetSpec
        {
            Root = root,
            Manifest = Manifest ?? fromFile?.Manifest,
            Train = Train ?? fromFile?.Train,
            Validation = Validation ?? fromFile?.Validation,
            Test = Test ?? fromFile?.Test,
            SubjectPattern = SubjectPattern ?? fromFile?.SubjectPattern,
            Labels = Labels?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                ?? fromFile?.Labels,
        };
    }
}

/// <summary>The layout of a --config file; partial sections keep the defaults of what they leave out.</summary>
[System.Text.Json.Serialization.JsonObjectCreationHandling(System.Text.Json.Serialization.JsonObjectCreationHandling.Populate)]
internal sealed record ConfigFile
{
    // A misspelt setting would otherwise be dropped without a word and its default trained instead.
    private static readonly JsonSerializerOptions Strict = new(ModelCheckpoint.JsonOptions)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    public DatasetSpec? Data { get; init; }

    public TrainingOptions Training { get; init; } = new();

    /// <summary>Reads a configuration file; a key that names no setting is an error.</summary>
    /// <exception cref="JsonException">The file is not a configuration file.</exception>
    public static ConfigFile Read(string path) =>
        JsonSerializer.Deserialize<ConfigFile>(File.ReadAllBytes(path), Strict) ?? new ConfigFile();
}
