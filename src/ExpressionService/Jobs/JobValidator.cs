using System.Text.RegularExpressions;
using ExpressionNet.Data;
using ExpressionNet.Training;
using ExpressionService.Registry;
using Microsoft.Extensions.Options;

namespace ExpressionService.Jobs;

/// <summary>
/// Checks a whole job spec before it is accepted, collecting every bad field: the training
/// settings, the model name, and the data set (inside the data root, readable, enough images and
/// classes).
/// </summary>
public sealed class JobValidator(IOptions<JobsOptions> options, IHostEnvironment environment)
{
    /// <summary>The folder data set paths are relative to.</summary>
    public string DataRoot { get; } = Path.GetFullPath(Path.Combine(environment.ContentRootPath, options.Value.DataRoot));

    /// <summary>The problems with a spec, keyed by JSON path; empty when it can run.</summary>
    public Dictionary<string, string[]> Validate(JobSpec spec)
    {
        var errors = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        void Add(string field, string message)
        {
            if (!errors.TryGetValue(field, out var list))
            {
                errors[field] = list = [];
            }

            list.Add(message);
        }

        if (!ModelRegistry.IsValidName(spec.ModelName))
        {
            Add("modelName", "Use 1 to 64 lower-case letters, digits, '.', '-' or '_', starting with a letter or digit.");
        }

        foreach (var error in OptionsValidation.Check(spec.Training))
        {
            Add($"training.{error.Field}", error.Message);
        }

        try
        {
            Devices.Resolve(spec.Training.Device);
        }
        catch (ArgumentException e)
        {
            Add("training.device", e.Message);
        }

        ValidateDataset(spec.Dataset, Add);
        return errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);
    }

    /// <summary>The library's data set description of a validated job's data set.</summary>
    public DatasetSpec DatasetSpec(JobDataset dataset) => new()
    {
        Root = DatasetPaths.Resolve(DataRoot, dataset.Path).Path
            ?? throw new InvalidOperationException($"The data set '{dataset.Path}' is no longer inside the data root."),
        Train = dataset.Train,
        Validation = dataset.Validation,
        Test = dataset.Test,
        Manifest = dataset.Manifest,
        SubjectPattern = dataset.SubjectPattern,
        Labels = dataset.Labels,
    };

    private void ValidateDataset(JobDataset dataset, Action<string, string> add)
    {
        var (root, error) = DatasetPaths.Resolve(DataRoot, dataset.Path);
        if (error is not null)
        {
            add("dataset.path", error);
        }

        var locations = new[]
        {
            ("dataset.train", dataset.Train), ("dataset.validation", dataset.Validation),
            ("dataset.test", dataset.Test), ("dataset.manifest", dataset.Manifest),
        };
        var contained = true;
        foreach (var (field, location) in locations)
        {
            if (location is not null && !DatasetPaths.IsContained(location))
            {
                add(field, $"'{location}' must be a relative path inside the data set, without '..'.");
                contained = false;
            }
        }

        if (dataset.SubjectPattern is { } pattern)
        {
            try
            {
                _ = new Regex(pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
            }
            catch (ArgumentException e)
            {
                add("dataset.subjectPattern", $"Not a regular expression: {e.Message}");
                contained = false;
            }
        }

        if (root is null || !contained)
        {
            return;
        }

        try
        {
            var index = DatasetIndex.Scan(DatasetSpec(dataset));
            if (index.Images.Count < options.Value.MinimumImages)
            {
                add("dataset", $"The data set has {index.Images.Count} images; a job needs at least {options.Value.MinimumImages}.");
            }
        }
        catch (DatasetException e)
        {
            add("dataset", e.Message);
        }
    }
}
