using System.ComponentModel;
using System.Text.Json;
using ExpressionNet.Checkpoints;
using ExpressionNet.Data;
using ExpressionNet.Detection;
using ExpressionNet.Training;
using ExpressionNet.Weights;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using Spectre.Console;
using Spectre.Console.Cli;
using static TorchSharp.torch;

namespace ExpressionNet.Cli.Commands;

/// <summary><c>expnet predict</c>: finds the faces in images and labels each one.</summary>
internal sealed class PredictCommand : Command<PredictCommand.Settings>
{
    internal sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<IMAGES>")]
        [Description("Image files (JPEG, PNG, BMP, GIF, WebP).")]
        public string[] Images { get; init; } = [];

        [CommandOption("--model <CHECKPOINT>")]
        [Description("The checkpoint folder. Default: models/default.")]
        public string Model { get; init; } = Path.Combine("models", "default");

        [CommandOption("--no-detect")]
        [Description("Treat each image as one face crop instead of looking for faces in it.")]
        public bool NoDetect { get; init; }

        [CommandOption("--json")]
        [Description("Print JSON instead of a table.")]
        public bool Json { get; init; }

        [CommandOption("--device <DEVICE>")]
        [Description("auto (CUDA when present), cpu, cuda or cuda:N.")]
        public string Device { get; init; } = "auto";

        public override ValidationResult Validate() =>
            Images.Length == 0 ? ValidationResult.Error("Give at least one image file.") : ValidationResult.Success();
    }

    private sealed record Face(float X, float Y, float Width, float Height, string Label, float Confidence, IReadOnlyDictionary<string, float> Scores);

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var device = Devices.Resolve(settings.Device);
        using var model = ModelCheckpoint.Load(settings.Model, device);
        using var detector = settings.NoDetect ? null : FaceDetector.Load(FaceApiModels.DefaultDirectory, device: device);
        var preprocessing = model.Preprocessing;

        var results = new List<(string File, IReadOnlyList<Face> Faces)>();
        foreach (var file in settings.Images)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var image = LoadImage(file);
            var boxes = detector is null
                ? [FaceCrop.Region(image.Size(), null, 0)]
                : detector.Detect(image).Select(f => f.Box).ToList();

            var faces = new List<Face>();
            if (boxes.Count > 0)
            {
                var crops = boxes
                    .Select(box => FaceCrop.Pixels(image, FaceCrop.Region(image.Size(), detector is null ? null : box, preprocessing.FaceMargin),
                        preprocessing.InputSize, preprocessing.Channels))
                    .SelectMany(pixels => pixels)
                    .ToArray();
                using var batch = tensor(crops, [boxes.Count, preprocessing.Channels, preprocessing.InputSize, preprocessing.InputSize]);
                using var probabilities = model.Probabilities(batch);
                var scores = probabilities.data<float>().ToArray();
                for (var i = 0; i < boxes.Count; i++)
                {
                    var row = scores.AsSpan(i * model.Labels.Count, model.Labels.Count).ToArray();
                    var best = Array.IndexOf(row, row.Max());
                    var box = boxes[i];
                    faces.Add(new Face(box.X, box.Y, box.Width, box.Height, model.Labels[best], row[best],
                        model.Labels.Select((label, k) => (label, k)).ToDictionary(p => p.label, p => row[p.k])));
                }
            }

            results.Add((file, faces));
        }

        Print(settings, model, results);
        return 0;
    }

    private static Image<Rgb24> LoadImage(string file)
    {
        if (!File.Exists(file))
        {
            throw new FileNotFoundException($"The image '{file}' does not exist.", file);
        }

        try
        {
            var image = Image.Load<Rgb24>(file);
            image.Mutate(x => x.AutoOrient());
            return image;
        }
        catch (ImageFormatException e)
        {
            throw new InvalidDataException($"'{file}' is not a readable image: {e.Message}", e);
        }
    }

    private static void Print(Settings settings, ExpressionModel model, List<(string File, IReadOnlyList<Face> Faces)> results)
    {
        if (settings.Json)
        {
            var document = new
            {
                model = model.Metadata.Name,
                version = model.Metadata.Version,
                images = results.Select(r => new { file = r.File, faces = r.Faces }),
            };
            Console.WriteLine(JsonSerializer.Serialize(document, ModelCheckpoint.JsonOptions));
            return;
        }

        var table = new Table().AddColumns("image", "face (x, y, w, h)", "label", "confidence", "scores");
        foreach (var (file, faces) in results)
        {
            if (faces.Count == 0)
            {
                table.AddRow(Markup.Escape(file), "no face", "", "", "");
            }

            foreach (var face in faces)
            {
                var scores = string.Join(" ", face.Scores.OrderByDescending(s => s.Value).Select(s => $"{s.Key} {s.Value:F2}"));
                table.AddRow(Markup.Escape(file), $"{face.X:F0}, {face.Y:F0}, {face.Width:F0}, {face.Height:F0}", face.Label,
                    $"{face.Confidence:P1}", scores);
            }
        }

        AnsiConsole.Write(table);
    }
}
