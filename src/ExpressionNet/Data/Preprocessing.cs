using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using ExpressionNet.Models;
using static TorchSharp.torch;

namespace ExpressionNet.Data;

/// <summary>
/// How a face becomes a model's input: the face box is widened by <see cref="FaceMargin"/>, cropped
/// square, resized to <see cref="InputSize"/>, converted to <see cref="Colour"/>, scaled to 0..1 and
/// normalised with <see cref="Mean"/> and <see cref="Std"/>. Training and serving both go through
/// this record, and a checkpoint stores it, so a model sees at serving time what it saw in training.
/// </summary>
public sealed record Preprocessing
{
    /// <summary>Side of the square input, in pixels.</summary>
    [Range(8, 1024)]
    public int InputSize { get; init; } = 48;

    /// <summary>Colour of the input.</summary>
    public ColourMode Colour { get; init; } = ColourMode.Grey;

    /// <summary>Per-channel mean subtracted from the 0..1 pixel values.</summary>
    public IReadOnlyList<float> Mean { get; init; } = [0.5f];

    /// <summary>Per-channel standard deviation the centred values are divided by.</summary>
    public IReadOnlyList<float> Std { get; init; } = [0.25f];

    /// <summary>
    /// Margin added on every side of a detected face box, as a fraction of the box's longer side,
    /// before the square crop.
    /// </summary>
    [Range(0.0, 2.0)]
    public double FaceMargin { get; init; } = 0.15;

    /// <summary>Channels implied by <see cref="Colour"/>.</summary>
    [JsonIgnore]
    public int Channels => Colour == ColourMode.Grey ? 1 : 3;

    /// <summary>
    /// Normalises a batch of 0..1 images, [N, Channels, InputSize, InputSize], on its own device.
    /// </summary>
    public Tensor Normalize(Tensor unitPixels)
    {
        using var mean = tensor(Mean.ToArray(), device: unitPixels.device).view(1, -1, 1, 1);
        using var std = tensor(Std.ToArray(), device: unitPixels.device).view(1, -1, 1, 1);
        return unitPixels.sub(mean).div_(std);
    }

    /// <summary>Turns a batch of 0..255 byte images into normalised float input.</summary>
    public Tensor FromBytes(Tensor bytes)
    {
        using var unit = bytes.to_type(ScalarType.Float32).div_(Scalars.ByteRange);
        return Normalize(unit);
    }

    /// <summary>Throws when the record is inconsistent.</summary>
    public void Validate()
    {
        Validator.ValidateObject(this, new ValidationContext(this), validateAllProperties: true);
        if (Mean.Count != Channels || Std.Count != Channels)
        {
            throw new ValidationException($"Mean and Std need {Channels} value(s) each for {Colour} input.");
        }

        if (Std.Any(s => s <= 0))
        {
            throw new ValidationException("Every Std value must be positive.");
        }
    }
}
