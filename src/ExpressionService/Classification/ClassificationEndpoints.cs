using ExpressionService.Operations;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ExpressionService.Classification;

/// <summary>Maps <c>POST /classify</c>.</summary>
public static class ClassificationEndpoints
{
    public static IEndpointRouteBuilder MapClassification(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/classify").WithTags("Classification");

        group.MapPost("", ClassifyAsync)
            .WithName("Classify")
            .WithSummary("Find the faces in images and recognise their expressions.")
            .WithDescription(
                "Send multipart/form-data with one or more files in the field 'images', or one image as the raw body with "
                + "an image/* content type (JPEG, PNG, BMP, GIF, WebP). Each image is answered in request order with the "
                + "faces found in it (none is not an error), each with its box, label, confidence and every label's score. "
                + "With detect=false each image is taken as one face crop.")
            .DisableAntiforgery()
            .WithMetadata(new ClassifyRequestBodyMetadata())
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        return app;
    }

    /// <param name="request">The HTTP request, whose body holds the images.</param>
    /// <param name="detect">Find faces (the default), or take each image as one face crop.</param>
    /// <param name="intake">Reads and preprocesses the images.</param>
    /// <param name="host">The model in service.</param>
    /// <param name="queue">The queue to the inference worker.</param>
    /// <param name="cancellationToken">Cancelled when the client goes away.</param>
    internal static async Task<Results<Ok<ClassifyResponse>, ProblemHttpResult>> ClassifyAsync(
        HttpRequest request,
        bool? detect,
        ImageIntake intake,
        ModelHost host,
        InferenceQueue queue,
        CancellationToken cancellationToken)
    {
        var model = host.TryAcquire();
        if (model is null)
        {
            return Problems.Create(
                StatusCodes.Status503ServiceUnavailable, "No model in service",
                "The service has no model loaded yet, or its model failed to load; see /health/ready.");
        }

        try
        {
            var uploads = await intake.ReadAsync(request, cancellationToken);
            var preprocessing = model.Model.Preprocessing;
            var images = await Task.WhenAll(uploads.Select(upload =>
                intake.ExtractFacesAsync(upload, preprocessing, detect ?? true, cancellationToken)));

            var faceCount = images.Sum(i => i.Boxes.Count);
            var scores = Array.Empty<float[]>();
            var answeredBy = model;
            if (faceCount > 0)
            {
                using var faces = ImageIntake.ToTensor(images, preprocessing);
                var result = await queue.ScoreAsync(model, faces, cancellationToken);
                scores = result.Probabilities;
                answeredBy = result.Model;
            }

            return TypedResults.Ok(Respond(answeredBy, images, scores));
        }
        catch (ImageRejectedException e)
        {
            return Problems.Create(e.Status, e.Title, e.Message, e.File);
        }
        catch (InferenceRefusedException e) when (e.Refusal == InferenceRefusal.QueueFull)
        {
            request.HttpContext.Response.Headers.RetryAfter = "1";
            return Problems.Create(StatusCodes.Status429TooManyRequests, "Too many requests", e.Message);
        }
        catch (InferenceRefusedException e)
        {
            return Problems.Create(StatusCodes.Status503ServiceUnavailable, "Timed out in the queue", e.Message);
        }
        finally
        {
            model.Release();
        }
    }

    private static ClassifyResponse Respond(ServingModel model, IReadOnlyList<ImageFaces> images, float[][] scores)
    {
        var labels = model.Model.Labels;
        var next = 0;
        var results = images.Select(image => new ImageResult(
            image.FileName,
            image.Width,
            image.Height,
            image.Boxes.Select(box =>
            {
                var row = scores[next++];
                var best = 0;
                for (var k = 1; k < row.Length; k++)
                {
                    best = row[k] > row[best] ? k : best;
                }

                return new FaceResult(
                    new FaceBox((int)Math.Round(box.X), (int)Math.Round(box.Y), (int)Math.Round(box.Width), (int)Math.Round(box.Height)),
                    labels[best],
                    row[best],
                    labels.Select((label, k) => (label, k)).ToDictionary(p => p.label, p => row[p.k]));
            }).ToList())).ToList();

        return new ClassifyResponse(new ModelInfo(model.Name, model.Version), results);
    }
}
