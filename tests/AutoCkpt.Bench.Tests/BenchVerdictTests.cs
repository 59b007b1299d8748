using System.Text.Json;
using AutoCkpt.Bench.Report;
using AutoCkpt.Formats;
using AutoCkpt.Formats.Plans;
using Xunit;

namespace AutoCkpt.Bench.Tests;

/// <summary>The bench's gradient verdict: a strategy that changes the gradients, a reference that is not reproducible, a NaN.</summary>
public sealed class BenchVerdictTests
{
    private static BenchReport Report(double none, double every, double plan)
    {
        BenchRow Row(string name, double diff) =>
            new(name, [new Segment(0, 1, SegmentStrategy.Keep)], true, 10 << 20, 10 << 20, 1, 1, diff) { StepSeconds = [1.0] };
        return new BenchReport("t", new DeviceInfo("cpu", "test"), 1, 20 << 20, 1,
            [Row("none", none), Row("every_stage", every), Row("plan", plan)], []);
    }

    [Fact]
    public void Given_reproducible_gradients_When_a_strategy_differs_Then_that_strategy_is_named()
    {
        var failures = BenchVerdict.Failures(Report(0, 0, 3e-3));

        Assert.Equal(["plan's gradients differ from no checkpointing's by up to 3e-3 (relative; tolerance 0e+0)."], failures);
    }

    [Fact]
    public void Given_a_NaN_in_a_strategy_s_gradients_When_judged_Then_it_fails_as_non_finite()
    {
        var failures = BenchVerdict.Failures(Report(0, double.PositiveInfinity, 0));

        Assert.Equal(["every_stage's gradients differ from no checkpointing's by up to ∞ (a NaN or an infinity in a gradient) (relative; tolerance 0e+0)."], failures);
    }

    [Fact]
    public void Given_a_reference_that_moved_between_two_identical_steps_When_judged_Then_no_strategy_is_blamed()
    {
        var failures = BenchVerdict.Failures(Report(0.2, 0.33, double.PositiveInfinity));

        var line = Assert.Single(failures);
        Assert.StartsWith("No checkpointing's own gradients differ between two identical steps (same weights, batch and seed) by up to 2e-1", line);
        Assert.Contains("cannot judge the strategies (their differences, not judged: every_stage 3.3e-1, plan ∞ (a NaN or an infinity in a gradient))", line);
        Assert.Contains("docs/reliability.md", line);
    }

    [Fact]
    public void Given_a_non_finite_difference_When_written_as_JSON_Then_it_reads_back_as_infinity()
    {
        string json = BenchJson.Rows(Report(0, double.PositiveInfinity, 0));

        using var doc = JsonDocument.Parse(json);
        var rows = doc.RootElement.EnumerateArray().ToList();
        Assert.Equal("Infinity", rows[1].GetProperty("max_grad_rel_diff").GetString());
        Assert.Equal(0.0, rows[0].GetProperty("max_grad_rel_diff").GetDouble());
        Assert.Equal(double.PositiveInfinity, JsonSerializer.Deserialize<double>(rows[1].GetProperty("max_grad_rel_diff").GetRawText(),
            new JsonSerializerOptions { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }));
    }
}
