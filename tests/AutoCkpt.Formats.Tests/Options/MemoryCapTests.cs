using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Options;
using Xunit;

namespace AutoCkpt.Formats.Tests.Options;

/// <summary>The cap syntax shared by <c>autockpt plan --memory-cap</c> and MSBuild's AutoCkptMemoryCap: range caps.</summary>
public sealed class MemoryCapTests
{
    private static readonly CapReferences Peaks = new(None: 1000, Tidy: 800, Smallest: 300);

    [Theory]
    [InlineData("range:0%", 300)]
    [InlineData("range:50%", 550)]
    [InlineData("RANGE: 25 %", 425)]
    [InlineData("range:100%", 800)]
    [InlineData("range:12.5%", 362)]
    public void Given_a_range_cap_When_resolved_Then_it_is_that_share_of_the_way_from_the_smallest_to_the_tidy_peak(string text, long bytes)
    {
        var cap = MemoryCap.Parse(text);
        Assert.Equal(CapReference.SaveableRange, cap.Reference);
        Assert.Equal(bytes, cap.Resolve(Peaks));
    }

    [Theory]
    [InlineData("60%", 600)]
    [InlineData("1KB", 1000)]
    public void Given_a_percentage_or_size_When_resolved_Then_a_percentage_is_of_the_none_peak(string text, long bytes)
    {
        var cap = MemoryCap.Parse(text);
        Assert.Equal(CapReference.NonePeak, cap.Reference);
        Assert.Equal(bytes, cap.Resolve(Peaks));
    }

    [Theory]
    [InlineData("range:101%")]
    [InlineData("range:-5%")]
    [InlineData("range:50")]
    [InlineData("range:50MiB")]
    [InlineData("range:")]
    [InlineData("range50%")]
    public void Given_a_bad_range_cap_When_parsed_Then_it_is_ACKPT041(string text)
    {
        Assert.Equal(ErrorCodes.BadCap, Assert.Throws<AckptException>(() => MemoryCap.Parse(text, "p.csproj", "AutoCkptMemoryCap")).Code);
    }

    [Fact]
    public void Given_a_range_cap_When_resolved_against_the_none_peak_alone_Then_it_refuses_rather_than_guess()
    {
        Assert.Throws<InvalidOperationException>(() => MemoryCap.Parse("range:50%").Resolve(1000));
    }

    [Fact]
    public void Given_a_range_cap_as_headroom_When_parsed_Then_it_is_ACKPT041()
    {
        Assert.Equal(ErrorCodes.BadCap, Assert.Throws<AckptException>(() => MemoryCap.ParseHeadroom("range:5%")).Code);
    }
}
