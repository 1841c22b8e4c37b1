using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace ExpressionNet.Models;

/// <summary>The colour of the pixels a model reads.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ColourMode>))]
public enum ColourMode
{
    /// <summary>One luminance channel.</summary>
    Grey,

    /// <summary>Three channels, red, green, blue.</summary>
    Rgb,
}

/// <summary>
/// The shape of an <see cref="ExpNet"/>: a stack of blocks of 3x3 convolutions with ReLU, each block
/// closed by a 2x2 max-pool, then a fully-connected hidden layer with dropout and the class layer. The
/// defaults are the paper's (five blocks of one convolution, 64 to 512 channels, a 256-unit hidden layer).
/// </summary>
public sealed record ExpNetOptions : IValidatableObject
{
    /// <summary>Side of the square input, in pixels.</summary>
    [Range(16, 1024)]
    public int InputSize { get; init; } = 48;

    /// <summary>Colour of the input.</summary>
    public ColourMode Colour { get; init; } = ColourMode.Grey;

    /// <summary>Output channels of each block's convolutions, bottom to top; one block per width.</summary>
    [MinLength(1)]
    public IReadOnlyList<int> Widths { get; init; } = [64, 128, 256, 512, 512];

    /// <summary>
    /// Convolutions in each block before its pooling. The paper has one; two (as in VGG) gives a
    /// deeper net with the same pooling, and so the same top map, at about twice the computation.
    /// </summary>
    [Range(1, 4)]
    public int ConvolutionsPerBlock { get; init; } = 1;

    /// <summary>Whether each convolution is followed by batch normalisation.</summary>
    public bool BatchNorm { get; init; }

    /// <summary>Units of the hidden fully-connected layer of the classifier head.</summary>
    [Range(1, 65536)]
    public int HiddenUnits { get; init; } = 256;

    /// <summary>Dropout probability before the class layer.</summary>
    [Range(0.0, 0.95)]
    public double Dropout { get; init; } = 0.5;

    /// <summary>Input channels implied by <see cref="Colour"/>.</summary>
    [JsonIgnore]
    public int InputChannels => Colour == ColourMode.Grey ? 1 : 3;

    /// <summary>Side of the top convolutional map for <see cref="InputSize"/>.</summary>
    [JsonIgnore]
    public int FeatureSize => Widths.Aggregate(InputSize, (size, _) => size / 2);

    /// <summary>Throws when the options describe a net that cannot be built.</summary>
    public void Validate() => Validator.ValidateObject(this, new ValidationContext(this), validateAllProperties: true);

    // The rules across settings, named by the setting to change so that a report can point at it.
    IEnumerable<ValidationResult> IValidatableObject.Validate(ValidationContext validationContext)
    {
        if (Widths.Any(w => w < 1))
        {
            yield return new ValidationResult("Every convolution width must be at least 1.", [nameof(Widths)]);
        }
        else if (FeatureSize < 1)
        {
            yield return new ValidationResult(
                $"An input of {InputSize} px is too small for {Widths.Count} pooling layers: "
                + $"it needs at least {1 << Widths.Count} px.",
                [nameof(InputSize)]);
        }
    }
}
