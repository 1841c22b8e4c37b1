using System.Net;
using System.Text;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace ExpressionService.Tests;

/// <summary>
/// Every way a /classify request can be wrong is answered with its 4xx status and problem details,
/// never a 500, and the service answers the next good request as usual.
/// </summary>
public sealed class BadInputTests(BadInputTests.TightLimits service) : IClassFixture<BadInputTests.TightLimits>
{
    private const int MaxImages = 3;
    private const int MaxRequestBytes = 1024 * 1024;
    private const int MaxPixels = 20_000_000;
    private const int LeastDecoderMegabytes = 16; // The least that LimitsOptions allows.

    /// <summary>
    /// Limits low enough to break with small requests, the decoder's memory at its minimum, over real
    /// HTTP where the server enforces the body size too.
    /// </summary>
    public sealed class TightLimits() : ServiceFixture(factory => factory
        .OverHttp()
        .With("Limits:MaxImagesPerRequest", MaxImages)
        .With("Limits:MaxRequestBytes", MaxRequestBytes)
        .With("Limits:MaxPixelsPerImage", MaxPixels)
        .With("Limits:DecoderMemoryMegabytes", LeastDecoderMegabytes));

    [Fact]
    public async Task BodyThatIsNeitherAFormNorAnImageIs415()
    {
        using var body = new StringContent("hello", Encoding.UTF8, "text/plain");

        using var response = await service.Client.PostAsync("/classify", body);

        var problem = await Requests.ReadProblemAsync(response, HttpStatusCode.UnsupportedMediaType);
        Assert.Contains("text/plain", problem.Detail, StringComparison.Ordinal);
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task EmptyFileIs400NamingIt()
    {
        using var form = Requests.Images(("portrait.jpg", TestImages.Portrait("happy/001.jpg")), ("empty.jpg", []));

        using var response = await service.Client.PostAsync("/classify", form);

        var problem = await Requests.ReadProblemAsync(response, HttpStatusCode.BadRequest, "empty.jpg");
        Assert.Equal("Empty image", problem.Title);
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task JpegCutInHalfAndFilledWithGarbageIs400NamingTheFile()
    {
        var jpeg = TestImages.Portrait("happy/001.jpg");
        var broken = jpeg[..(jpeg.Length / 2)].Concat(Garbage(jpeg.Length / 2)).ToArray();
        using var form = Requests.Images(("broken.jpg", broken));

        using var response = await service.Client.PostAsync("/classify", form);

        await Requests.ReadProblemAsync(response, HttpStatusCode.BadRequest, "broken.jpg");
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task JpegWithoutItsFrameHeaderIs400NamingTheFile()
    {
        var jpeg = TestImages.Portrait("happy/001.jpg");
        var frameHeader = jpeg.AsSpan().IndexOf([(byte)0xFF, (byte)0xC0]);
        jpeg[frameHeader] = jpeg[frameHeader + 1] = 0;
        using var form = Requests.Images(("headless.jpg", jpeg));

        using var response = await service.Client.PostAsync("/classify", form);

        await Requests.ReadProblemAsync(response, HttpStatusCode.BadRequest, "headless.jpg");
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task BmpWithAnImpossibleHeaderSizeIs400NamingTheFile()
    {
        using var image = new Image<Rgb24>(64, 64);
        using var stream = new MemoryStream();
        image.SaveAsBmp(stream);
        var bmp = stream.ToArray();
        bmp[14] = 0; // The size of the bitmap's info header, which no BMP variant has as 0.
        using var form = Requests.Images(("odd.bmp", bmp));

        using var response = await service.Client.PostAsync("/classify", form);

        await Requests.ReadProblemAsync(response, HttpStatusCode.BadRequest, "odd.bmp");
        await AssertStillServesAsync();
    }

    [Theory]
    [InlineData("notes.txt")]
    [InlineData("noise.jpg")]
    public async Task FileOfNoImageFormatIs415NamingIt(string fileName)
    {
        var bytes = fileName switch
        {
            "notes.txt" => Encoding.UTF8.GetBytes("These are notes, not a photo."),
            _ => Garbage(4096),
        };
        using var form = Requests.Images(("portrait.jpg", TestImages.Portrait("happy/001.jpg")), (fileName, bytes));

        using var response = await service.Client.PostAsync("/classify", form);

        await Requests.ReadProblemAsync(response, HttpStatusCode.UnsupportedMediaType, fileName);
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task MoreImagesThanTheLimitIs400()
    {
        var portrait = TestImages.Portrait("happy/001.jpg");
        using var form = Requests.Images(
            Enumerable.Range(1, MaxImages + 1).Select(i => ($"{i}.jpg", portrait)).ToArray());

        using var response = await service.Client.PostAsync("/classify", form);

        var problem = await Requests.ReadProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains($"limit is {MaxImages}", problem.Detail, StringComparison.Ordinal);
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task FormOverTheRequestSizeLimitIs413()
    {
        using var form = Requests.Images(("big.jpg", Garbage(MaxRequestBytes)));

        using var response = await service.Client.PostAsync("/classify", form);

        await Requests.ReadProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task ChunkedRawBodyOverTheRequestSizeLimitIs413()
    {
        using var request = Chunked(Requests.Raw(Garbage(MaxRequestBytes + 1)));

        using var response = await service.Client.SendAsync(request);

        await Requests.ReadProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task ChunkedFormOverTheRequestSizeLimitIs413()
    {
        // Each file is within the limit; together they are not.
        var half = Garbage(MaxRequestBytes / 2 + 1024);
        using var request = Chunked(Requests.Images(("a.jpg", half), ("b.jpg", half)));

        using var response = await service.Client.SendAsync(request);

        await Requests.ReadProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task ImageOverThePixelLimitIs413NamingIt()
    {
        using var form = Requests.Images(("huge.png", TestImages.BlankPng(5000, 5000)));

        using var response = await service.Client.PostAsync("/classify", form);

        var problem = await Requests.ReadProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "huge.png");
        Assert.Contains("5000x5000", problem.Detail, StringComparison.Ordinal);
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task ImageNeedingMoreThanTheDecodersMemoryIs413NamingIt()
    {
        // 16 million pixels pass the pixel limit, but as RGB they take 48 MB, three times the decoder's limit.
        using var form = Requests.Images(("wide.png", TestImages.BlankPng(4000, 4000)));

        using var response = await service.Client.PostAsync("/classify", form);

        await Requests.ReadProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "wide.png");
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task FormWithNoFilesInTheImagesFieldIs400()
    {
        using var form = new MultipartFormDataContent
        {
            { new StringContent("portrait.jpg"), "images" },
            { new ByteArrayContent(TestImages.Portrait("happy/001.jpg")), "photo", "portrait.jpg" },
        };

        using var response = await service.Client.PostAsync("/classify", form);

        var problem = await Requests.ReadProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("'images'", problem.Detail, StringComparison.Ordinal);
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task FormCutOffBeforeItsEndIs400()
    {
        using var form = Requests.Images(("portrait.jpg", TestImages.Portrait("happy/001.jpg")));
        var bytes = await form.ReadAsByteArrayAsync();
        using var body = new ByteArrayContent(bytes[..(bytes.Length / 2)]);
        body.Headers.ContentType = form.Headers.ContentType;

        using var response = await service.Client.PostAsync("/classify", body);

        await Requests.ReadProblemAsync(response, HttpStatusCode.BadRequest);
        await AssertStillServesAsync();
    }

    [Fact]
    public async Task DetectFlagThatIsNoBooleanIs400()
    {
        using var form = Requests.Images(("portrait.jpg", TestImages.Portrait("happy/001.jpg")));

        using var response = await service.Client.PostAsync("/classify?detect=maybe", form);

        await Requests.ReadProblemAsync(response, HttpStatusCode.BadRequest);
        await AssertStillServesAsync();
    }

    private async Task AssertStillServesAsync()
    {
        using var form = Requests.Images(("portrait.jpg", TestImages.Portrait("neutral/001.jpg")));

        using var response = await service.Client.PostAsync("/classify", form);

        Assert.Single(Assert.Single((await Requests.ReadAnswerAsync(response)).Images).Faces);
    }

    private static byte[] Garbage(int length)
    {
        var bytes = new byte[length];
        new Random(length).NextBytes(bytes);
        return bytes;
    }

    // A body sent in chunks, with no Content-Length to refuse it by before reading it.
    private static HttpRequestMessage Chunked(HttpContent body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/classify") { Content = body };
        request.Headers.TransferEncodingChunked = true;
        return request;
    }
}
