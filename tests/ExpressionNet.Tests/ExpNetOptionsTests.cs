using System.ComponentModel.DataAnnotations;
using ExpressionNet.Models;

namespace ExpressionNet.Tests;

public class ExpNetOptionsTests
{
    [Fact]
    public void InputTooSmallForThePoolsIsRejectedSayingTheSmallestSize()
    {
        var options = new ExpNetOptions { InputSize = 16 };

        var error = Assert.Throws<ValidationException>(options.Validate);

        Assert.Contains("too small for 5 pooling layers: it needs at least 32 px", error.Message);
    }

    [Fact]
    public void InputJustLargeEnoughForThePoolsGivesOnePixelFeatures()
    {
        var options = new ExpNetOptions { InputSize = 32 };

        options.Validate();

        Assert.Equal(1, options.FeatureSize);
    }

    [Fact]
    public void ConvolutionWithoutChannelsIsRejected()
    {
        var options = new ExpNetOptions { Widths = [32, 0] };

        var error = Assert.Throws<ValidationException>(options.Validate);

        Assert.Contains("width must be at least 1", error.Message);
    }

    [Fact]
    public void NetWithoutConvolutionsIsRejected()
    {
        var options = new ExpNetOptions { Widths = [] };

        Assert.Throws<ValidationException>(options.Validate);
    }
}
