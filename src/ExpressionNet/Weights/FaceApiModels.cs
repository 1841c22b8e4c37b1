namespace ExpressionNet.Weights;

/// <summary>
/// Where the build puts the pretrained nets of the <c>@vladmandic/face-api</c> package, and their names.
/// </summary>
public static class FaceApiModels
{
    /// <summary>The <c>weights/face-api</c> folder beside the application's binaries.</summary>
    public static string DefaultDirectory { get; } =
        Path.Combine(AppContext.BaseDirectory, "weights", "face-api");

    /// <summary>The face-recognition ResNet (128-d descriptors of 150x150 faces).</summary>
    public const string FaceRecognition = "face_recognition_model";

    /// <summary>The Tiny-YOLOv2-style face detector.</summary>
    public const string TinyFaceDetector = "tiny_face_detector_model";
}
