using System.ComponentModel.DataAnnotations;
using ExpressionNet.Detection;
using ExpressionNet.Weights;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using Xunit.Abstractions;

namespace ExpressionNet.Tests;

public class FaceDetectorTests(ITestOutputHelper output)
{
    // The JPEG decoders (ImageSharp here, jpeg-js for the reference) differ by up to 3 levels in a pixel,
    // which moves boxes by about a pixel and scores by up to 0.045. On identical pixels the port's output
    // matches face-api's to 1e-4 (TinyFaceDetectorNetTests), so these bounds measure the decoders.
    private const double BoxTolerancePixels = 2;
    private const double ScoreTolerance = 0.05;

    private static readonly Rgb24 _grey = new(128, 128, 128);

    public static TheoryData<string, int> ReferenceRuns()
    {
        var data = new TheoryData<string, int>();
        foreach (var image in FaceDetectionReference.Instance.Images)
        {
            foreach (var run in image.Runs)
            {
                data.Add(image.Name, run.InputSize);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ReferenceRuns))]
    public void DetectionsMatchFaceApiWithinTwoPixels(string imageName, int inputSize)
    {
        var reference = FaceDetectionReference.Instance[imageName];
        var run = reference.Runs.Single(r => r.InputSize == inputSize);
        using var image = reference.Compose();
        using var detector = CreateDetector(inputSize, run.ScoreThreshold);

        var faces = detector.Detect(image);

        Assert.Equal(run.Faces.Count, faces.Count);
        var unmatched = faces.ToList();
        foreach (var expected in run.Faces)
        {
            var box = ClipToImage(expected, image.Size());
            var actual = unmatched.MinBy(f => CentreDistance(f.Box, box))!;
            unmatched.Remove(actual);
            var deviation = new[]
            {
                actual.Box.X - box.X, actual.Box.Y - box.Y,
                actual.Box.Width - box.Width, actual.Box.Height - box.Height,
            }.Max(Math.Abs);
            output.WriteLine($"box off by {deviation:F3} px, score by {actual.Score - expected.Score:F5}");

            Assert.InRange(deviation, 0, BoxTolerancePixels);
            Assert.InRange(actual.Score, expected.Score - ScoreTolerance, expected.Score + ScoreTolerance);
        }
    }

    [Fact]
    public void APortraitHoldsExactlyOneFaceNearTheMiddle()
    {
        using var portrait = SharedData.LoadPhoto("frl-london/neutral/001.jpg");
        using var detector = CreateDetector();

        var faces = detector.Detect(portrait);

        var face = Assert.Single(faces);
        Assert.True(face.Box.Contains(portrait.Width / 2f, portrait.Height / 2f));
        Assert.InRange(face.Score, 0.5f, 1f);
    }

    [Fact]
    public void TwoPortraitsSideBySideHoldTwoFacesOnePerHalf()
    {
        using var pair = SideBySide();
        using var detector = CreateDetector();

        var faces = detector.Detect(pair);

        Assert.Equal(2, faces.Count);
        Assert.Single(faces, f => f.Box.Right <= 450);
        Assert.Single(faces, f => f.Box.Left >= 450);
        Assert.True(faces[0].Score >= faces[1].Score, "faces come highest score first");
    }

    [Fact]
    public void AFlatGreyImageHoldsNoFace()
    {
        using var blank = new Image<Rgb24>(640, 480, _grey);
        using var detector = CreateDetector();

        Assert.Empty(detector.Detect(blank));
    }

    [Fact]
    public void MaxFacesKeepsOnlyTheHighestScoringFaces()
    {
        using var pair = SideBySide();
        using var all = CreateDetector();
        using var one = CreateDetector(maxFaces: 1);

        var best = all.Detect(pair)[0];
        var kept = one.Detect(pair);

        Assert.Equal(best, Assert.Single(kept));
    }

    [Fact]
    public void AFaceCutByTheImageEdgeGetsABoxInsideTheImage()
    {
        // The portrait shifted left until the image's edge cuts through the face.
        using var cut = SharedData.Compose(300, 450, _grey, ("frl-london/neutral/001.jpg", -140, 0));
        using var detector = CreateDetector();

        var faces = detector.Detect(cut);

        var face = Assert.Single(faces);
        Assert.Equal(0, face.Box.Left);
        Assert.InRange(face.Box.Right, 1, cut.Width);
        Assert.InRange(face.Box.Top, 0, face.Box.Bottom);
        Assert.InRange(face.Box.Bottom, face.Box.Top, cut.Height);
    }

    [Fact]
    public void ABatchOfImagesOfDifferentSizesGivesTheSameFacesAsOneAtATime()
    {
        using var portrait = SharedData.LoadPhoto("frl-london/happy/030.jpg");
        using var pair = SideBySide();
        using var blank = new Image<Rgb24>(640, 480, _grey);
        using var detector = CreateDetector();

        var batched = detector.Detect([portrait, pair, blank]);

        Assert.Equal(3, batched.Count);
        AssertSameFaces(detector.Detect(portrait), batched[0]);
        AssertSameFaces(detector.Detect(pair), batched[1]);
        Assert.Empty(batched[2]);
    }

    [Theory]
    [InlineData(400, 0.5f)]
    [InlineData(0, 0.5f)]
    [InlineData(416, 0f)]
    [InlineData(416, 1f)]
    public void InvalidOptionsAreRejectedWhenTheDetectorIsCreated(int inputSize, float scoreThreshold)
    {
        var options = new FaceDetectorOptions { InputSize = inputSize, ScoreThreshold = scoreThreshold };

        Assert.Throws<ValidationException>(() => FaceDetector.Load(FaceApiModels.DefaultDirectory, options));
    }

    private static FaceDetector CreateDetector(
        int inputSize = 416, float scoreThreshold = 0.5f, int maxFaces = 100)
    {
        var options = new FaceDetectorOptions
        {
            InputSize = inputSize,
            ScoreThreshold = scoreThreshold,
            MaxFaces = maxFaces,
        };
        return FaceDetector.Load(FaceApiModels.DefaultDirectory, options);
    }

    private static Image<Rgb24> SideBySide() => SharedData.Compose(
        900, 450, _grey, ("frl-london/neutral/012.jpg", 0, 0), ("frl-london/happy/024.jpg", 450, 0));

    // face-api leaves boxes unclipped; the detector clips them to the image.
    private static RectangleF ClipToImage(ReferenceFace face, Size size)
    {
        var left = Math.Max(face.X, 0);
        var top = Math.Max(face.Y, 0);
        var right = Math.Min(face.X + face.Width, size.Width);
        var bottom = Math.Min(face.Y + face.Height, size.Height);
        return new RectangleF((float)left, (float)top, (float)(right - left), (float)(bottom - top));
    }

    private static double CentreDistance(RectangleF a, RectangleF b)
    {
        var (centreA, centreB) = (RectangleF.Center(a), RectangleF.Center(b));
        return Math.Abs(centreA.X - centreB.X) + Math.Abs(centreA.Y - centreB.Y);
    }

    private static void AssertSameFaces(
        IReadOnlyList<DetectedFace> expected, IReadOnlyList<DetectedFace> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        foreach (var (e, a) in expected.Zip(actual))
        {
            Assert.Equal(e.Box.X, a.Box.X, 0.01f);
            Assert.Equal(e.Box.Y, a.Box.Y, 0.01f);
            Assert.Equal(e.Box.Width, a.Box.Width, 0.01f);
            Assert.Equal(e.Box.Height, a.Box.Height, 0.01f);
            Assert.Equal(e.Score, a.Score, 0.0001f);
        }
    }
}
