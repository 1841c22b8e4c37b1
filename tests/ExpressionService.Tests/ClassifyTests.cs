using ExpressionService.Classification;

namespace ExpressionService.Tests;

public sealed class ClassifyTests(ServiceFixture service) : IClassFixture<ServiceFixture>
{
    [Fact]
    public async Task OneUploadedPortraitIsAnsweredWithOneFaceScoredOnEveryLabel()
    {
        using var form = Requests.Images(("portrait.jpg", TestImages.Portrait("happy/001.jpg")));

        using var response = await service.Client.PostAsync("/classify", form);

        var answer = await Requests.ReadAnswerAsync(response);
        var image = Assert.Single(answer.Images);
        Assert.Equal(("portrait.jpg", 450, 450), (image.File, image.Width, image.Height));
        var face = Assert.Single(image.Faces);
        AssertScoredOnEveryLabel(face);
        AssertCentredFace(face.Box, 0, 450);
        Assert.Equal(1, answer.Model.Version);
    }

    [Fact]
    public async Task SeveralUploadsAreAnsweredInRequestOrderUnderTheirFileNames()
    {
        using var form = Requests.Images(
            ("first.jpg", TestImages.Portrait("neutral/003.jpg")),
            ("second.jpg", TestImages.TwoPortraitsSideBySide()),
            ("third.png", TestImages.BlankPng(300, 200)));

        using var response = await service.Client.PostAsync("/classify", form);

        var answer = await Requests.ReadAnswerAsync(response);
        Assert.Equal(
            [("first.jpg", 450, 1), ("second.jpg", 900, 2), ("third.png", 300, 0)],
            answer.Images.Select(i => (i.File, i.Width, i.Faces.Count)));
        Assert.All(answer.Images.SelectMany(i => i.Faces), AssertScoredOnEveryLabel);
    }

    [Fact]
    public async Task RawJpegBodyIsAnsweredAsOneImage()
    {
        using var body = Requests.Raw(TestImages.Portrait("neutral/001.jpg"), "image/jpeg");

        using var response = await service.Client.PostAsync("/classify", body);

        var answer = await Requests.ReadAnswerAsync(response);
        var image = Assert.Single(answer.Images);
        Assert.Equal(("image", 450, 450), (image.File, image.Width, image.Height));
        AssertScoredOnEveryLabel(Assert.Single(image.Faces));
    }

    [Fact]
    public async Task TwoPortraitsSideBySideGiveOneFaceInEachHalf()
    {
        using var form = Requests.Images(("pair.jpg", TestImages.TwoPortraitsSideBySide()));

        using var response = await service.Client.PostAsync("/classify", form);

        var image = Assert.Single((await Requests.ReadAnswerAsync(response)).Images);
        Assert.Equal((900, 450), (image.Width, image.Height));
        var faces = image.Faces.OrderBy(f => f.Box.X).ToList();
        Assert.Equal(2, faces.Count);
        AssertCentredFace(faces[0].Box, 0, 450);
        AssertCentredFace(faces[1].Box, 450, 900);
        Assert.All(faces, AssertScoredOnEveryLabel);
    }

    [Fact]
    public async Task ImageWithoutAFaceIsAnsweredWithNoFaces()
    {
        using var form = Requests.Images(("blank.jpg", TestImages.Blank()));

        using var response = await service.Client.PostAsync("/classify", form);

        var image = Assert.Single((await Requests.ReadAnswerAsync(response)).Images);
        Assert.Equal("blank.jpg", image.File);
        Assert.Empty(image.Faces);
    }

    [Fact]
    public async Task WithoutDetectionTheWholeImageIsOneFace()
    {
        using var form = Requests.Images(("pair.jpg", TestImages.TwoPortraitsSideBySide()));

        using var response = await service.Client.PostAsync("/classify?detect=false", form);

        var image = Assert.Single((await Requests.ReadAnswerAsync(response)).Images);
        var face = Assert.Single(image.Faces);
        Assert.Equal(new FaceBox(0, 0, 900, 450), face.Box);
        AssertScoredOnEveryLabel(face);
    }

    private void AssertScoredOnEveryLabel(FaceResult face)
    {
        Assert.Equal(service.Factory.Labels.Order(), face.Scores.Keys.Order());
        Assert.Equal(1.0, face.Scores.Values.Sum(), 1e-4);
        var best = face.Scores.MaxBy(s => s.Value);
        Assert.Equal((best.Key, best.Value), (face.Label, face.Confidence));
    }

    // An FRL portrait's face fills about a third of the frame, around its centre.
    private static void AssertCentredFace(FaceBox box, int left, int right)
    {
        Assert.InRange(box.X, left, right - 1);
        Assert.InRange(box.X + box.Width, left + 1, right);
        Assert.InRange(box.X + box.Width / 2, left + (right - left) / 4, right - (right - left) / 4);
        Assert.InRange(box.Y + box.Height / 2, 450 / 4, 450 * 3 / 4);
        Assert.InRange(box.Width, 60, 300);
    }
}
