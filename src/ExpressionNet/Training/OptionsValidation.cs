using System.ComponentModel.DataAnnotations;
using System.Reflection;
using System.Text.Json;

namespace ExpressionNet.Training;

/// <summary>A setting that is out of bounds, with its JSON path (e.g. <c>stage2.batchSize</c>).</summary>
public sealed record OptionError(string Field, string Message);

/// <summary>
/// Checks option records and the records nested in them against their data annotations and their
/// own consistency rules, reporting every bad field at once.
/// </summary>
public static class OptionsValidation
{
    /// <summary>Every problem with a training configuration; empty when it is usable.</summary>
    public static IReadOnlyList<OptionError> Check(TrainingOptions options)
    {
        var errors = new List<OptionError>();
        Walk(options, "", errors);

        if (options.Method == TrainingMethod.ExpNetFromScratch && options.Stage2.Epochs == 0)
        {
            errors.Add(new OptionError("stage2.epochs", "Training from scratch needs at least one stage-2 epoch."));
        }

        if (options.Method == TrainingMethod.FineTunedFaceNet && options.FaceNet.Stage.Epochs == 0)
        {
            errors.Add(new OptionError("faceNet.stage.epochs", "The fine-tuned face net needs at least one epoch."));
        }

        return errors;
    }

    /// <summary>Throws a <see cref="ValidationException"/> naming every bad field.</summary>
    public static void ThrowIfInvalid(TrainingOptions options)
    {
        var errors = Check(options);
        if (errors.Count > 0)
        {
            throw new ValidationException(
                "Invalid training settings: " + string.Join("; ", errors.Select(e => $"{e.Field}: {e.Message}")));
        }
    }

    private static void Walk(object value, string path, List<OptionError> errors)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(value, new ValidationContext(value), results, validateAllProperties: true);
        foreach (var result in results)
        {
            var member = result.MemberNames.FirstOrDefault() ?? "";
            errors.Add(new OptionError(Join(path, member), result.ErrorMessage ?? "is not valid."));
        }

        foreach (var property in value.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length == 0
                && property.PropertyType.Namespace?.StartsWith(nameof(ExpressionNet), StringComparison.Ordinal) == true
                && property.PropertyType.IsClass
                && property.GetValue(value) is { } nested)
            {
                Walk(nested, Join(path, property.Name), errors);
            }
        }
    }

    private static string Join(string path, string member)
    {
        var name = JsonNamingPolicy.CamelCase.ConvertName(member);
        return path.Length == 0 ? name : $"{path}.{name}";
    }
}
