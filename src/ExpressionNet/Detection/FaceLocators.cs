using ExpressionNet.Data;

namespace ExpressionNet.Detection;

/// <summary>Face locators for reading data sets of photos.</summary>
public static class FaceLocators
{
    /// <summary>
    /// The largest face the detector finds: in a portrait data set, the person photographed rather
    /// than a face in the background.
    /// </summary>
    public static FaceLocator Largest(FaceDetector detector) =>
        image => detector.Detect(image).MaxBy(face => face.Box.Width * face.Box.Height)?.Box;
}
