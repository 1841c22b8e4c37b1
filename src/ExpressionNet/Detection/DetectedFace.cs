using SixLabors.ImageSharp;

namespace ExpressionNet.Detection;

/// <summary>A face found by <see cref="FaceDetector"/>.</summary>
/// <param name="Box">The face's box in pixels of the image searched, clipped to that image.</param>
/// <param name="Score">The detector's confidence that the box holds a face, in (0, 1).</param>
public sealed record DetectedFace(RectangleF Box, float Score);
