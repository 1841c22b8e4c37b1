using System.ComponentModel.DataAnnotations;
using ExpressionNet.Models;

namespace ExpressionNet.Detection;

/// <summary>Settings of <see cref="FaceDetector"/>; input size and threshold default to face-api's.</summary>
public sealed class FaceDetectorOptions : IValidatableObject
{
    /// <summary>
    /// The side of the square the image is scaled to, a multiple of 32. Larger sizes find smaller faces
    /// at a cost that grows with the square of the side; common sizes run from 128 to 608.
    /// </summary>
    [Range(TinyFaceDetectorNet.Stride, 2048)]
    public int InputSize { get; set; } = 416;

    /// <summary>Faces must score above this, which lies strictly between 0 and 1.</summary>
    [Range(0.0, 1.0, MinimumIsExclusive = true, MaximumIsExclusive = true)]
    public float ScoreThreshold { get; set; } = 0.5f;

    /// <summary>The most faces returned per image; face-api has no such limit.</summary>
    [Range(1, int.MaxValue)]
    public int MaxFaces { get; set; } = 100;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (InputSize % TinyFaceDetectorNet.Stride != 0)
        {
            yield return new ValidationResult(
                $"{nameof(InputSize)} must be a multiple of {TinyFaceDetectorNet.Stride}; {InputSize} is not.",
                [nameof(InputSize)]);
        }
    }
}
