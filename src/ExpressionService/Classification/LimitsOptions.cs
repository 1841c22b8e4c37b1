using System.ComponentModel.DataAnnotations;

namespace ExpressionService.Classification;

/// <summary>Bounds on what one /classify request may ask of the service.</summary>
public sealed class LimitsOptions
{
    public const string Section = "Limits";

    /// <summary>Largest request body, in bytes (413 beyond).</summary>
    [Range(1024, 4L * 1024 * 1024 * 1024)]
    public long MaxRequestBytes { get; set; } = 32 * 1024 * 1024;

    /// <summary>Most images in one request (400 beyond).</summary>
    [Range(1, 1024)]
    public int MaxImagesPerRequest { get; set; } = 16;

    /// <summary>Most pixels (width times height) of one image, checked before it is decoded (413 beyond).</summary>
    [Range(1, 1_000_000_000)]
    public long MaxPixelsPerImage { get; set; } = 40_000_000;

    /// <summary>Memory the image decoder may take for one image, in megabytes; a second guard against decompression bombs.</summary>
    [Range(16, 65536)]
    public int DecoderMemoryMegabytes { get; set; } = 256;

    /// <summary>Requests decoding and detecting faces at once; the rest wait their turn.</summary>
    [Range(1, 1024)]
    public int MaxConcurrentPreprocessing { get; set; } = Math.Max(2, Environment.ProcessorCount);
}
