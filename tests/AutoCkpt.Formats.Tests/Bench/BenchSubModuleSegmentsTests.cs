using AutoCkpt.Formats.Bench;
using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Plans;
using Xunit;

namespace AutoCkpt.Formats.Tests.Bench;

/// <summary>The bench carries kept units recomputing a sub-module (docs/selective.md) as "N-N:sub[attn]", tidy ones as "N-N:tidy_sub[attn]".</summary>
public sealed class BenchSubModuleSegmentsTests
{
    [Fact]
    public void Given_segments_with_sub_module_units_When_formatted_and_parsed_Then_they_round_trip_with_their_tidy_flags()
    {
        IReadOnlyList<Segment> segments =
        [
            new Segment(0, 0, SegmentStrategy.Keep), new Segment(1, 1, SegmentStrategy.Keep) { RecomputeOnly = "attn" },
            new Segment(2, 2, SegmentStrategy.Keep) { RecomputeOnly = "attn.core,mlp" }, new Segment(3, 4, SegmentStrategy.Recompute),
        ];
        string text = BenchMeasurementFile.FormatSegments(segments, [true, true, false, false, false]);
        Assert.Equal("0-0:tidy 1-1:tidy_sub[attn] 2-2:sub[attn.core+mlp] 3-4:recompute", text);
        var (back, tidy) = BenchMeasurementFile.ParseTidySegments(text);
        Assert.Equal(segments, back);
        Assert.Equal([true, true, false, false, false], tidy);
    }

    [Theory]
    [InlineData("0-1:sub[attn]")]
    [InlineData("0-0:sub[]")]
    [InlineData("0-0:sub[attn+]")]
    public void Given_a_bad_sub_module_segment_When_parsed_Then_ACKPT080_shows_the_form(string text)
    {
        var e = Assert.Throws<AckptException>(() => BenchMeasurementFile.ParseSegments(text));
        Assert.Equal(ErrorCodes.BadArgument, e.Code);
        Assert.Contains("N-N:sub[PATH]", e.Message);
    }
}
