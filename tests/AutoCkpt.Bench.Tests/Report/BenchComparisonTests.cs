using AutoCkpt.Bench.Report;
using AutoCkpt.Formats;
using AutoCkpt.Formats.Bench;
using AutoCkpt.Formats.Plans;
using Xunit;

namespace AutoCkpt.Bench.Tests.Report;

/// <summary>The plan-against-uniform line of the bench: per-round differences and when the run cannot tell them apart.</summary>
public sealed class BenchComparisonTests
{
    [Fact]
    public void Given_ten_rounds_When_paired_Then_the_median_and_the_2nd_and_9th_differences_bound_it()
    {
        double[] first = [1.0, 1.1, 1.2, 1.3, 1.4, 1.5, 1.6, 1.7, 1.8, 1.9];
        double[] second = [1.05, 1.0, 1.3, 1.2, 1.4, 1.45, 1.7, 1.5, 1.8, 1.95];
        var sorted = first.Zip(second, (a, b) => a - b).Order().ToArray();

        var d = PairedDifference.Of(first, second)!;

        Assert.Equal(10, d.Rounds);
        Assert.Equal((sorted[4] + sorted[5]) / 2, d.MedianSeconds, 12);
        Assert.Equal(sorted[1], d.LowSeconds, 12);
        Assert.Equal(sorted[8], d.HighSeconds, 12);
        Assert.False(d.FirstSlower);
    }

    [Fact]
    public void Given_five_rounds_When_paired_Then_no_interval_reaches_95_percent() =>
        Assert.Null(PairedDifference.Of([1, 2, 3, 4, 5], [1, 2, 3, 4, 5]));

    [Theory]
    [InlineData(new[] { 0.99, 1.00, 1.01, 0.98, 1.00, 0.99, 1.01, 1.00, 0.99, 1.00 }, "not slower than uniform_3")]
    [InlineData(new[] { 1.03, 0.98, 1.04, 0.97, 1.02, 1.05, 0.99, 1.03, 1.01, 0.98 }, "tied, within this run's noise, with uniform_3")]
    [InlineData(new[] { 1.05, 1.06, 1.04, 1.05, 1.07, 1.05, 1.06, 1.04, 1.05, 1.06 }, "**slower than** uniform_3")]
    public void Given_plan_steps_against_uniform_steps_When_compared_Then_the_verdict_reads_the_interval(double[] planSteps, string verdict)
    {
        double[] uniform = [1.00, 1.00, 1.00, 1.00, 1.00, 1.00, 1.00, 1.00, 1.00, 1.00];
        var report = Report(("none", [.. uniform.Select(s => s * 0.8)]), ("uniform_3", uniform), ("plan", planSteps));

        string line = BenchMarkdown.Comparison(report)!;

        Assert.Contains($"The plan is {verdict}:", line);
        Assert.Contains("95% interval", line);
    }

    [Fact]
    public void Six_rounds_are_the_fewest_with_a_95_percent_interval()
    {
        Assert.Equal(6, PairedDifference.MinRounds);
        var d = PairedDifference.Of([1, 2, 3, 4, 5, 6], [0, 0, 0, 0, 0, 0])!;
        Assert.Equal((1.0, 6.0), (d.LowSeconds, d.HighSeconds));
    }

    [Theory]
    [InlineData(new[] { 1.30, 1.25, 1.35, 1.28, 1.31 })]
    [InlineData(new[] { 0.90, 0.92, 0.91, 0.90, 0.93 })]
    public void Given_five_steps_When_compared_Then_it_says_they_are_too_few_and_gives_no_verdict(double[] planSteps)
    {
        double[] uniform = [1.00, 1.02, 0.99, 1.01, 1.00];
        var report = Report(("none", [.. uniform.Select(s => s * 0.8)]), ("uniform_3", uniform), ("plan", planSteps));

        string line = BenchMarkdown.Comparison(report)!;

        Assert.Contains("The plan is not compared with uniform_3: 5 steps per strategy are too few for a 95% interval", line);
        Assert.Contains("--steps 6 or more", line);
        Assert.DoesNotContain("slower", line);
        Assert.DoesNotContain("tied", line);
        Assert.DoesNotContain("ratio", line);
    }

    [Fact]
    public void Given_none_and_tidy_rows_When_written_Then_the_table_states_the_plain_peak_next_to_the_tidy_peak_and_which_the_cap_refers_to()
    {
        var rows = new[]
        {
            new BenchRow("none", [new Segment(0, 3, SegmentStrategy.Keep)], true, 100 << 20, 100 << 20, 1, 1, 0) { StepSeconds = [1.0] },
            new BenchRow("tidy", [new Segment(0, 3, SegmentStrategy.Keep)], true, 75 << 20, 75 << 20, 1, 1, 0) { StepSeconds = [1.0], Tidy = [true, true, true, true] },
        };
        var report = new BenchReport("t", new DeviceInfo("cpu", "test"), 1, 80 << 20, 1, rows, []);

        string text = BenchMarkdown.Write(report);

        Assert.Contains("| tidy | 0/4, 4 tidy |", text);
        Assert.Contains("none (the plain model", text);
        Assert.Contains("100.00 MiB", text);
        Assert.Contains("75.00 MiB (-25.0%)", text);
        Assert.Contains("N% is of none", text);
    }

    [Fact]
    public void Given_tidy_runs_When_strategies_are_formatted_and_parsed_Then_the_tidy_flags_round_trip()
    {
        var strategy = new BenchStrategy("plan", [new Segment(0, 1, SegmentStrategy.Recompute), new Segment(2, 5, SegmentStrategy.Keep)])
        {
            Tidy = [false, false, true, true, false, true],
        };
        string text = BenchMeasurementFile.FormatStrategies([strategy]);
        Assert.Equal("plan=0-1:recompute 2-3:tidy 4-4:keep 5-5:tidy", text);
        var back = Assert.Single(BenchMeasurementFile.ParseStrategies(text));
        Assert.Equal(strategy.Tidy, back.Tidy);
        Assert.Equal([new Segment(0, 1, SegmentStrategy.Recompute), new Segment(2, 3, SegmentStrategy.Keep), new Segment(4, 4, SegmentStrategy.Keep), new Segment(5, 5, SegmentStrategy.Keep)], back.Segments);
    }

    private static BenchReport Report(params (string Name, double[] Steps)[] rows)
    {
        double none = Median(rows[0].Steps);
        var list = rows.Select(r => new BenchRow(r.Name, [new Segment(0, 3, SegmentStrategy.Keep)], true, 1, 1, 1, Median(r.Steps), 0)
        {
            Overhead = Median(r.Steps) / none - 1,
            StepSeconds = r.Steps,
        }).ToList();
        return new BenchReport("t", new DeviceInfo("cpu", "test"), 1, 10, rows[0].Steps.Length, list, []);
    }

    private static double Median(double[] v)
    {
        var s = v.Order().ToArray();
        return (s[(s.Length - 1) / 2] + s[s.Length / 2]) / 2;
    }
}
