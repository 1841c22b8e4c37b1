using ExpressionNet.Data;
using ExpressionNet.Detection;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Memory;
using SixLabors.ImageSharp.Metadata;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;
using static TorchSharp.torch;

namespace ExpressionService.Classification;

/// <summary>An uploaded image file, read into memory.</summary>
public sealed record Upload(string FileName, byte[] Bytes);

/// <summary>The faces found in one image: boxes in the image's own pixels and their crops.</summary>
public sealed record ImageFaces(string FileName, int Width, int Height, IReadOnlyList<RectangleF> Boxes, byte[] Crops);

/// <summary>
/// Turns a /classify request into face crops: reads the uploads within the size limits, checks
/// each image's format and pixel count before decoding it, decodes it with a bounded allocator,
/// applies its EXIF orientation, finds its faces and crops them as the serving model expects.
/// </summary>
public sealed class ImageIntake : IDisposable
{
    private const string FieldName = "images";
    private static readonly HashSet<string> AcceptedFormats = new(["JPEG", "PNG", "BMP", "GIF", "WEBP"], StringComparer.OrdinalIgnoreCase);

    private readonly LimitsOptions _limits;
    private readonly FaceDetector _detector;
    private readonly Configuration _decoding;
    private readonly SemaphoreSlim _preprocessing;

    public ImageIntake(IOptions<LimitsOptions> limits, FaceDetector detector)
    {
        _limits = limits.Value;
        _detector = detector;
        _preprocessing = new SemaphoreSlim(_limits.MaxConcurrentPreprocessing);

        // A decoder that may not allocate more than the limit throws instead of exhausting memory
        // on an image whose header lies about its size. GIFs are read to their first frame only.
        _decoding = Configuration.Default.Clone();
        _decoding.MemoryAllocator = MemoryAllocator.Create(new MemoryAllocatorOptions
        {
            AllocationLimitMegabytes = _limits.DecoderMemoryMegabytes,
        });
        _decoding.ImageFormatsManager.SetDecoder(GifFormat.Instance, new GifDecoder { DecodingMode = FrameDecodingMode.First });
    }

    /// <summary>The images of a request: the files of the multipart field "images", or a raw image body.</summary>
    /// <exception cref="ImageRejectedException">The request breaks a limit or carries no images.</exception>
    public async Task<IReadOnlyList<Upload>> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > _limits.MaxRequestBytes)
        {
            throw TooLarge();
        }

        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
        {
            bodySize.MaxRequestBodySize = _limits.MaxRequestBytes;
        }

        try
        {
            return await ReadImagesAsync(request, cancellationToken);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            // The server enforces the limit set above on a body of unknown length (chunked) as it arrives.
            throw TooLarge();
        }
    }

    /// <summary>
    /// Decodes an upload and finds its faces (or, without detection, takes the whole image as one
    /// face), and crops them as <paramref name="preprocessing"/> says.
    /// </summary>
    /// <exception cref="ImageRejectedException">The image is too large, corrupt or of an unsupported format.</exception>
    public async Task<ImageFaces> ExtractFacesAsync(
        Upload upload, Preprocessing preprocessing, bool detect, CancellationToken cancellationToken)
    {
        await _preprocessing.WaitAsync(cancellationToken);
        try
        {
            using var image = Decode(upload);
            IReadOnlyList<RectangleF> boxes = detect
                ? _detector.Detect(image).Select(face => face.Box).ToList()
                : [new RectangleF(0, 0, image.Width, image.Height)];

            var crops = boxes
                .SelectMany(box => FaceCrop.Pixels(
                    image,
                    FaceCrop.Region(image.Size(), detect ? box : null, preprocessing.FaceMargin),
                    preprocessing.InputSize,
                    preprocessing.Channels))
                .ToArray();
            return new ImageFaces(upload.FileName, image.Width, image.Height, boxes, crops);
        }
        finally
        {
            _preprocessing.Release();
        }
    }

    /// <summary>Packs the crops of several images into one uint8 tensor [faces, C, S, S].</summary>
    public static Tensor ToTensor(IReadOnlyList<ImageFaces> images, Preprocessing preprocessing)
    {
        var faces = images.Sum(i => i.Boxes.Count);
        var bytes = images.Count == 1 ? images[0].Crops : images.SelectMany(i => i.Crops).ToArray();
        return tensor(bytes, [faces, preprocessing.Channels, preprocessing.InputSize, preprocessing.InputSize]);
    }

    public void Dispose() => _preprocessing.Dispose();

    private Image<Rgb24> Decode(Upload upload)
    {
        if (upload.Bytes.Length == 0)
        {
            throw new ImageRejectedException(
                StatusCodes.Status400BadRequest, "Empty image", $"'{upload.FileName}' has no bytes.", upload.FileName);
        }

        IImageInfo? info;
        IImageFormat? format;
        try
        {
            info = Image.Identify(_decoding, upload.Bytes, out format);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw Undecodable(upload, e);
        }

        if (info is null || format is null || !AcceptedFormats.Contains(format.Name))
        {
            throw new ImageRejectedException(
                StatusCodes.Status415UnsupportedMediaType, "Unsupported image format",
                $"'{upload.FileName}' is not a JPEG, PNG, BMP, GIF or WebP image.", upload.FileName);
        }

        if ((long)info.Width * info.Height > _limits.MaxPixelsPerImage)
        {
            throw new ImageRejectedException(
                StatusCodes.Status413PayloadTooLarge, "Image too large",
                $"'{upload.FileName}' is {info.Width}x{info.Height} pixels; the limit is {_limits.MaxPixelsPerImage} pixels.",
                upload.FileName);
        }

        try
        {
            var image = Image.Load<Rgb24>(_decoding, upload.Bytes);
            image.Mutate(x => x.AutoOrient());
            return image;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw Undecodable(upload, e);
        }
    }

    private async Task<IReadOnlyList<Upload>> ReadImagesAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var contentType = request.ContentType ?? "";
        if (request.HasFormContentType)
        {
            return await ReadFormAsync(request, cancellationToken);
        }

        if (contentType.StartsWith("image/", StringComparison.OrdinalIgnoreCase))
        {
            var name = request.Headers.ContentDisposition.Count > 0
                && System.Net.Http.Headers.ContentDispositionHeaderValue.TryParse(request.Headers.ContentDisposition.ToString(), out var disposition)
                ? disposition.FileNameStar ?? disposition.FileName?.Trim('"') ?? "image"
                : "image";
            return [new Upload(name, await ReadBoundedAsync(request.Body, cancellationToken))];
        }

        throw new ImageRejectedException(
            StatusCodes.Status415UnsupportedMediaType, "Unsupported content type",
            $"Send multipart/form-data with the images in the field '{FieldName}', or one image with an image/* content type; got '{contentType}'.");
    }

    private async Task<IReadOnlyList<Upload>> ReadFormAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(cancellationToken);
        }
        catch (InvalidDataException e)
        {
            // The form reader reports a body over its length limit, and a malformed body, this way;
            // its other limits (boundary, header and value lengths) describe malformed forms.
            throw e.Message.Contains("body length limit", StringComparison.OrdinalIgnoreCase)
                ? TooLarge()
                : new ImageRejectedException(StatusCodes.Status400BadRequest, "Malformed form", e.Message);
        }
        catch (IOException e) when (e is not BadHttpRequestException)
        {
            // The multipart reader reports a body that ends before the closing boundary this way.
            throw new ImageRejectedException(
                StatusCodes.Status400BadRequest, "Malformed form", "The form ended before its closing boundary.");
        }

        var files = form.Files.GetFiles(FieldName);
        if (files.Count == 0)
        {
            throw new ImageRejectedException(
                StatusCodes.Status400BadRequest, "No images",
                $"The form holds no files in the field '{FieldName}'.");
        }

        if (files.Count > _limits.MaxImagesPerRequest)
        {
            throw new ImageRejectedException(
                StatusCodes.Status400BadRequest, "Too many images",
                $"The request holds {files.Count} images; the limit is {_limits.MaxImagesPerRequest}.");
        }

        var uploads = new List<Upload>(files.Count);
        foreach (var file in files)
        {
            await using var stream = file.OpenReadStream();
            uploads.Add(new Upload(file.FileName, await ReadBoundedAsync(stream, cancellationToken)));
        }

        return uploads;
    }

    private async Task<byte[]> ReadBoundedAsync(Stream body, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > _limits.MaxRequestBytes)
            {
                throw TooLarge();
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private ImageRejectedException TooLarge() =>
        new(StatusCodes.Status413PayloadTooLarge, "Request too large",
            $"The request body exceeds the limit of {_limits.MaxRequestBytes} bytes.");

    // ImageSharp reports most broken files with an ImageFormatException, but some with whatever its decoder
    // tripped over (a NullReferenceException for a JPEG without a frame header, a NotSupportedException for a
    // BMP whose header size is 0, an IndexOutOfRangeException in WebP), and the allocation limit with an
    // InvalidMemoryOperationException, alone or inside an InvalidImageContentException.
    private ImageRejectedException Undecodable(Upload upload, Exception e)
    {
        if (e is InvalidMemoryOperationException || e.InnerException is InvalidMemoryOperationException)
        {
            return new ImageRejectedException(
                StatusCodes.Status413PayloadTooLarge, "Image too large",
                $"Decoding '{upload.FileName}' needs more than the decoder's {_limits.DecoderMemoryMegabytes} MB.",
                upload.FileName);
        }

        var reason = e is ImageFormatException or NotSupportedException ? e.Message : "it is corrupt or truncated.";
        return new ImageRejectedException(
            StatusCodes.Status400BadRequest, "Unreadable image",
            $"'{upload.FileName}' could not be decoded: {reason}", upload.FileName);
    }
}
