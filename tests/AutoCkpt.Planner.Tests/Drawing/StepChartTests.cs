using System.Globalization;
using System.Xml.Linq;
using AutoCkpt.Bench.Report;
using AutoCkpt.Formats;
using AutoCkpt.Formats.Bench;
using AutoCkpt.Planner.CostModel;
using AutoCkpt.Planner.Drawing;
using AutoCkpt.Testing;
using Xunit;

namespace AutoCkpt.Planner.Tests.Drawing;

/// <summary>
/// The pictures' axes are in the unit that suits the data, with distinct round ticks; every picture is well-formed
/// XML with an svg root. Read back from the SVG text, as a viewer would see it.
/// </summary>
public sealed class StepChartTests
{
    private const long MiB = 1024 * 1024, GiB = 1024 * MiB;

    /// <summary>Six stages of <paramref name="unit"/>-sized tensors: a peak of about 25 units over 2 units of fixed memory.</summary>
    private static StepCostModel Model(long unit) => new(TestProfiles.Of(2 * unit,
        [.. Enumerable.Range(0, 6).Select(i => TestProfiles.Stage($"s{i}", 0.004, 0.008, unit, 3 * unit, unit / 2, unit / 2))]));

    private static string Chart(StepCostModel model) =>
        StepChart.Render(model, [new("none", Baselines.None(6)), new("plan", Baselines.EveryStage(6), IsPlan: true)], null, [], "t");

    /// <summary>The y-axis tick labels: the right-aligned numbers, top to bottom as written.</summary>
    private static List<string> YTicks(XDocument svg) =>
        [.. svg.Descendants().Where(e => e.Name.LocalName == "text" && (string?)e.Attribute("text-anchor") == "end"
            && double.TryParse(e.Value.Replace('−', '-'), NumberStyles.Float, CultureInfo.InvariantCulture, out _)).Select(e => e.Value)];

    private static List<string> Texts(XDocument svg) => [.. svg.Descendants().Where(e => e.Name.LocalName == "text").Select(e => e.Value)];

    [Theory]
    [InlineData(MiB, "MiB", "GiB")]
    [InlineData(GiB, "GiB", "MiB")]
    public void Given_a_profile_at_a_scale_When_drawn_Then_memory_is_in_that_unit_with_distinct_ticks(long unit, string expected, string wrong)
    {
        var svg = XDocument.Parse(Chart(Model(unit)));

        Assert.Equal("svg", svg.Root!.Name.LocalName);
        Assert.Contains($"memory ({expected})", Texts(svg));
        Assert.DoesNotContain($"memory ({wrong})", Texts(svg));
        var ticks = YTicks(svg);
        Assert.InRange(ticks.Count, 4, 12);
        Assert.Equal(ticks.Count, ticks.Distinct().Count());
        // The axis reaches the peak (about 25 units): the largest tick is a two-digit number of the unit, not 0 or 0.02.
        Assert.InRange(ticks.Max(t => double.Parse(t, CultureInfo.InvariantCulture)), 10, 40);
    }

    [Fact]
    public void Given_a_step_of_milliseconds_When_drawn_Then_time_is_in_ms()
    {
        var texts = Texts(XDocument.Parse(Chart(Model(MiB))));
        Assert.Contains(texts, t => t.StartsWith("time in the step (ms)", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(0, "B")]
    [InlineData(1023, "B")]
    [InlineData(1024, "KiB")]
    [InlineData(95 * MiB, "MiB")]
    [InlineData(1023 * MiB, "MiB")]
    [InlineData(3 * GiB, "GiB")]
    [InlineData(double.NaN, "B")]
    public void Given_a_byte_range_When_a_unit_is_chosen_Then_the_largest_the_range_reaches(double max, string name) =>
        Assert.Equal(name, Unit.ForBytes(max).Name);

    [Theory]
    [InlineData(2.5, "s")]
    [InlineData(0.0175, "ms")]
    [InlineData(4e-5, "µs")]
    [InlineData(5e-324, "ns")]
    [InlineData(0, "s")]
    [InlineData(double.PositiveInfinity, "s")]
    public void Given_a_time_range_When_a_unit_is_chosen_Then_the_largest_the_range_reaches(double max, string name) =>
        Assert.Equal(name, Unit.ForSeconds(max).Name);

    [Theory]
    [InlineData(MiB, "MiB")]
    [InlineData(GiB, "GiB")]
    public void Given_a_bench_report_at_a_scale_When_drawn_Then_valid_xml_with_memory_in_that_unit_and_every_strategy_named(long unit, string expected)
    {
        MemorySample[] trace = [new(0, 2 * unit), new(0.01, 20 * unit), new(0.02, 2 * unit)];
        BenchRow Row(string name, double overhead) => new(name, Baselines.None(4), true, 20 * unit, 21 * unit, 0.02, 0.02, 0) { Overhead = overhead, PredictedOverhead = overhead * 0.9 };
        var report = new BenchReport("t", new DeviceInfo("cpu", "test"), 4, 22 * unit, 5, [Row("none", 0), Row("every_stage", 0.3), Row("plan", 0.1)],
            [new("none", trace, trace), new("every_stage", trace, trace), new("plan", trace, trace)])
        {
            Sweep = [new(18 * unit, 0.2, "every_stage", 0.3), new(22 * unit, 0.1, "uniform_2", 0.15), new(26 * unit, 0, "none", 0)],
        };

        var svg = XDocument.Parse(BenchSvg.Write(report));
        var texts = Texts(svg);

        Assert.Equal("svg", svg.Root!.Name.LocalName);
        Assert.Equal(3, texts.Count(t => t == $"memory ({expected})"));
        Assert.Contains($"memory cap ({expected})", texts);
        foreach (var name in new[] { "none", "every_stage", "plan" }) Assert.Contains(name, texts);
        var memoryTicks = YTicks(svg).Take(YTicks(svg).IndexOf("0", 1)).ToList(); // the first panel's ticks, up to the next panel's 0
        Assert.Equal(memoryTicks.Count, memoryTicks.Distinct().Count());
        Assert.InRange(memoryTicks.Count, 4, 12);
    }
}
