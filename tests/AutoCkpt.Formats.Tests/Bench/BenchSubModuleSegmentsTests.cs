using AutoCkpt.Formats.Bench;
using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Plans;
using Xunit;

namespace AutoCkpt.Formats.Tests.Bench;

/// <summary>The bench carries kept units recomputing a sub-module (docs/selective.md) as "N-N:sub_module=attn", tidy ones as "N-N:sub_module=attn:tidy".</summary>
public sealed class BenchSubModuleSegmentsTests
{
    [Fact]
    public void Given_segments_with_sub_module_units_When_formatted_and_parsed_Then_they_round_trip_with_their_tidy_flags()
    {
        IReadOnlyList<Segment> segments =
        [
            new Segment(0, 0, SegmentStrategy.Keep), new Segment(1, 1, SegmentStrategy.SubModule) { Option = "attn" },
            new Segment(2, 2, SegmentStrategy.SubModule) { Option = "attn.core" }, new Segment(3, 4, SegmentStrategy.Recompute),
        ];
        string text = BenchMeasurementFile.FormatSegments(segments, [true, true, false, false, false]);
        Assert.Equal("0-0:tidy 1-1:sub_module=attn:tidy 2-2:sub_module=attn.core 3-4:recompute", text);
        var (back, tidy) = BenchMeasurementFile.ParseTidySegments(text);
        Assert.Equal(segments, back);
        Assert.Equal([true, true, false, false, false], tidy);
    }
}
