using AutoCkpt.Formats.Bench;
using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Plans;
using Xunit;

namespace AutoCkpt.Formats.Tests.Bench;

/// <summary>The bench carries save-matmuls units (docs/selective.md) as "N-N:save_matmuls" between the tool and its host.</summary>
public sealed class BenchSaveMatmulsSegmentsTests
{
    [Fact]
    public void Given_segments_with_a_save_matmuls_unit_When_formatted_and_parsed_Then_they_round_trip()
    {
        IReadOnlyList<Segment> segments =
            [new Segment(0, 0, SegmentStrategy.Keep), new Segment(1, 1, SegmentStrategy.Recompute) { SavesMatmuls = true }, new Segment(2, 3, SegmentStrategy.Recompute)];
        string text = BenchMeasurementFile.FormatSegments(segments, [true, false, false, false]);
        Assert.Equal("0-0:tidy 1-1:save_matmuls 2-3:recompute", text);
        var (back, tidy) = BenchMeasurementFile.ParseTidySegments(text);
        Assert.Equal(segments, back);
        Assert.Equal([true, false, false, false], tidy);
    }

    [Fact]
    public void Given_save_matmuls_over_two_stages_When_parsed_Then_ACKPT080_says_it_runs_one()
    {
        var e = Assert.Throws<AckptException>(() => BenchMeasurementFile.ParseSegments("0-1:save_matmuls"));
        Assert.Equal(ErrorCodes.BadArgument, e.Code);
        Assert.Contains("one stage", e.Message);
    }
}
