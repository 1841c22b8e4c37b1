using TorchSharp;

namespace ExpressionNet;

/// <summary>
/// The constant operands of tensor arithmetic, made once and held for the life of the process.
/// </summary>
/// <remarks>
/// TorchSharp turns a number passed to a tensor operation (<c>x / 255</c>, <c>x.add_(1)</c>) into a
/// temporary <see cref="Scalar"/> whose finalizer frees its native value, and hands only that value's
/// address to LibTorch. A collection during the native call may then free the operand in use, which
/// surfaces as "Unknown scalar type" or as a wrong result, more often the busier the process. Operands
/// held here are never finalized; a varying operand is made with <c>using var s = value.ToScalar()</c>,
/// which keeps it alive until the operation has returned.
/// </remarks>
internal static class Scalars
{
    public static readonly Scalar Zero = 0f.ToScalar();

    public static readonly Scalar One = 1f.ToScalar();

    public static readonly Scalar Two = 2f.ToScalar();

    public static readonly Scalar MinusTwo = (-2f).ToScalar();

    public static readonly Scalar Half = 0.5f.ToScalar();

    /// <summary>The largest byte value, the scale between 0..255 pixels and 0..1 ones.</summary>
    public static readonly Scalar ByteRange = 255f.ToScalar();

    /// <summary>The slope of face-api's leaky ReLU below zero.</summary>
    public static readonly Scalar LeakySlope = 0.1f.ToScalar();

    /// <summary>The least standard deviation a normalisation divides by.</summary>
    public static readonly Scalar LeastStd = 1e-3f.ToScalar();
}
