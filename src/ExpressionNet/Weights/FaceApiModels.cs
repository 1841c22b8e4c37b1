namespace ExpressionNet.Weights;

/// <summary>
/// The pretrained nets of the npm package <c>@vladmandic/face-api</c> that the build copies beside
/// the binaries, and the names their TensorFlow.js weight manifests are stored under.
/// </summary>
public static class FaceApiModels
{
    /// <summary>The face-recognition ResNet (128-d descriptors).</summary>
    public const string FaceRecognition = "face_recognition_model";

    /// <summary>The Tiny-YOLOv2-style face detector.</summary>
    public const string TinyFaceDetector = "tiny_face_detector_model";

    /// <summary>The folder the build copies the face-api weights to, <c>weights/face-api</c>.</summary>
    public static string DefaultDirectory => Path.Combine(AppContext.BaseDirectory, "weights", "face-api");
}
