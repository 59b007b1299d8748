using AutoCkpt.Formats.Bench;
using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Plans;
using Xunit;

namespace AutoCkpt.Formats.Tests.Bench;

/// <summary>The bench's measurement file is read within bounds too: anything but a measurement is ACKPT081.</summary>
public sealed class BenchMeasurementFileTests
{
    [Theory]
    [InlineData("/dev/zero")]
    [InlineData("/nonexistent/m.json")]
    [InlineData("garbage")]
    [InlineData("deep")]
    [InlineData("wrong type")]
    public void Given_something_that_is_not_a_measurement_When_read_Then_ACKPT081(string what)
    {
        string path = what;
        if (!what.StartsWith('/'))
        {
            path = Path.Combine(Directory.CreateTempSubdirectory("autockpt-bench-").FullName, "m.json");
            File.WriteAllText(path, what switch
            {
                "garbage" => "{ not json",
                "deep" => new string('[', 100_000),
                _ => "{\"strategies\": 3}",
            });
        }
        var e = Assert.Throws<AckptException>(() => BenchMeasurementFile.Read(path));
        Assert.Equal(ErrorCodes.BenchFailed, e.Code);
        Assert.Equal(path, e.File);
    }

    [Fact]
    public void Given_strategies_with_a_multi_level_segment_When_formatted_and_parsed_Then_they_round_trip_with_tidy_runs()
    {
        var nested = new Segment(2, 5, SegmentStrategy.Recompute)
        {
            Inner = [new Segment(2, 3, SegmentStrategy.Recompute) { Inner = [new Segment(2, 2, SegmentStrategy.Recompute), new Segment(3, 3, SegmentStrategy.Keep)] }, new Segment(4, 4, SegmentStrategy.Recompute), new Segment(5, 5, SegmentStrategy.Keep)],
        };
        var strategy = new BenchStrategy("plan", [new Segment(0, 1, SegmentStrategy.Keep), nested, new Segment(6, 6, SegmentStrategy.Keep)]) { Tidy = [true, true, false, false, false, false, false] };
        string text = BenchMeasurementFile.FormatStrategies([strategy]);
        Assert.Equal("plan=0-1:tidy 2-5:recompute[2-3:recompute[2-2:recompute,3-3:keep],4-4:recompute,5-5:keep] 6-6:keep", text);
        var back = BenchMeasurementFile.ParseStrategies(text).Single();
        Assert.Equal(strategy.Segments, back.Segments);
        Assert.Equal(strategy.Tidy, back.Tidy);
    }

    [Theory]
    [InlineData("0-3:recompute[0-1:recompute,2-3:keep", "ACKPT080")]
    [InlineData("0-3:recompute[0-3:keep]", "ACKPT018")]
    [InlineData("0-3:recompute[0-1:keep,2-3:keep]", "ACKPT018")]
    [InlineData("0-3:recompute[0-1:recompute,2-x:keep]", "ACKPT080")]
    public void Given_a_bad_multi_level_segment_When_parsed_Then_a_coded_error(string text, string code) =>
        Assert.Equal(code, Assert.Throws<AckptException>(() => BenchMeasurementFile.ParseSegments(text)).Code);
    [Fact]
    public void Given_a_non_finite_gradient_difference_When_written_and_read_Then_it_round_trips()
    {
        // The host writes +∞ for a NaN or an infinity in a gradient (docs/reliability.md); plain JSON cannot hold it.
        var m = new BenchMeasurement("t", new DeviceInfo("cpu", "test"), 1, 1, 0,
            [new StrategyMeasurement("none", [new Segment(0, 0, SegmentStrategy.Keep)], 1, 1, [1], [1], double.PositiveInfinity, [])], []);
        string path = Path.Combine(Directory.CreateTempSubdirectory("autockpt-bench-").FullName, "m.json");

        BenchMeasurementFile.Write(path, m);

        Assert.Equal(double.PositiveInfinity, BenchMeasurementFile.Read(path).Strategies[0].MaxGradRelDiff);
    }
}
