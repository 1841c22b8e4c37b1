using System.Diagnostics;
using ExpressionNet.Checkpoints;
using ExpressionNet.Detection;
using ExpressionNet.Weights;
using static TorchSharp.torch;

namespace ExpressionNet.Tests;

/// <summary>
/// A service runs the detector and the model while the garbage collector runs as often as other
/// requests make it. The numbers their arithmetic uses must outlive every native call that reads
/// them, or collections turn into "Unknown scalar type" errors and silently wrong scores.
/// </summary>
public sealed class GarbageCollectionTests : IDisposable
{
    private static readonly TimeSpan Duration = TimeSpan.FromSeconds(4);

    private readonly TemporaryFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task DetectionAndScoringGiveTheSameAnswersWhileCollectionsRunWithoutPause()
    {
        TinyCheckpoint.Save(_folder.Path, ["happy", "neutral", "sad"]);
        using var model = ModelCheckpoint.Load(_folder.Path);
        using var detector = FaceDetector.Load(FaceApiModels.DefaultDirectory, new FaceDetectorOptions { InputSize = 128 });
        using var image = SharedData.LoadPhoto("frl-london/happy/001.jpg");
        using var crops = randint(0, 256, [4, 1, 48, 48]).to_type(ScalarType.Byte);
        var expectedFaces = detector.Detect(image);
        var expectedScores = Scores(model, crops);

        var failures = new List<string>();
        var iterations = 0;
        using var stop = new CancellationTokenSource();
        var collector = Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
            }
        });

        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < Duration && failures.Count < 5)
        {
            try
            {
                var faces = detector.Detect(image);
                if (!faces.Select(f => f.Box).SequenceEqual(expectedFaces.Select(f => f.Box)))
                {
                    failures.Add("the detector found other boxes");
                }

                if (!Scores(model, crops).SequenceEqual(expectedScores))
                {
                    failures.Add("the model gave other scores");
                }
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                failures.Add(e.Message.Split('\n')[0]);
            }

            iterations++;
        }

        await stop.CancelAsync();
        await collector;
        Assert.True(failures.Count == 0, $"{failures.Count} failures in {iterations} runs: {string.Join("; ", failures)}");
    }

    private static float[] Scores(ExpressionModel model, Tensor crops)
    {
        using var probabilities = model.Probabilities(crops);
        return probabilities.data<float>().ToArray();
    }
}
