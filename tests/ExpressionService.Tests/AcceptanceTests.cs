using Xunit.Abstractions;

namespace ExpressionService.Tests;

/// <summary>
/// What the shipped model must do through the service: tell a smile from a neutral face on the FRL
/// London portraits, which it was not trained on. Run apart with --filter Category=Acceptance.
/// </summary>
[Trait("Category", "Acceptance")]
public sealed class AcceptanceTests(ServiceFixture service, ITestOutputHelper output) : IClassFixture<ServiceFixture>
{
    // The shipped model, trained on FER2013 alone, gets 76% here: nearly every neutral face, but
    // under two thirds of these gentle, closed-mouth smiles. The bar guards that figure.
    private const double RequiredAccuracy = 0.74;
    private const int ImagesPerRequest = 16;

    [Fact]
    public async Task HappyPortraitIsLabelledHappy()
    {
        using var form = Requests.Images(("happy.jpg", TestImages.Portrait("happy/001.jpg")));

        using var response = await service.Client.PostAsync("/classify", form);

        var face = Assert.Single(Assert.Single((await Requests.ReadAnswerAsync(response)).Images).Faces);
        Assert.Equal("happy", face.Label);
    }

    [Fact]
    public async Task NeutralAndHappyPortraitsAreToldApartAtLeast74PercentOfTheTime()
    {
        var portraits = TestImages.Portraits("neutral").Concat(TestImages.Portraits("happy")).ToList();
        var labels = new List<string?>();

        foreach (var chunk in portraits.Chunk(ImagesPerRequest))
        {
            using var form = Requests.Images(chunk.Select(file => (file, TestImages.Portrait(file))).ToArray());
            using var response = await service.Client.PostAsync("/classify", form);
            var answer = await Requests.ReadAnswerAsync(response);

            // A portrait holds one person; should the detector see more, the largest face is theirs.
            labels.AddRange(answer.Images.Select(i => i.Faces.MaxBy(f => f.Box.Width * f.Box.Height)?.Label));
        }

        var expected = portraits.Select(file => file.Split('/')[0]).ToList();
        var correct = expected.Zip(labels).Count(pair => pair.First == pair.Second);
        var accuracy = (double)correct / portraits.Count;
        output.WriteLine($"FRL neutral/happy accuracy: {accuracy * 100:0.0}% ({correct}/{portraits.Count})");
        output.WriteLine($"Portraits without a face found: {labels.Count(l => l is null)}");
        foreach (var group in expected.Zip(labels).Where(pair => pair.Second is not null).GroupBy(pair => pair.First))
        {
            output.WriteLine($"{group.Key}: {group.Count(pair => pair.First == pair.Second)} right of {group.Count()} with a face found");
        }

        Assert.True(accuracy >= RequiredAccuracy, $"{accuracy * 100:0.0}% is below {RequiredAccuracy * 100:0}%.");
    }
}
