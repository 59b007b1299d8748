using AutoCkpt.Formats;
using AutoCkpt.Planner.Drawing;
using Xunit;

namespace AutoCkpt.Planner.Tests;

/// <summary>
/// Profiles with figures at the edges of what a profile file may hold (bytes up to 2⁵⁰, seconds from 5e-324 and 0 to
/// 1e300, names with markup): the planner plans them or refuses with a code, and <c>show</c> prints and draws them.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class ExtremeProfileTests : IDisposable
{
    private const long Big = 1L << 50;
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    private static Profile Stages(long fixedTotal, params StageProfile[] stages) => TestProfiles.Of(fixedTotal, stages);

    private static StageProfile Stage(int i, double seconds, long bytes) =>
        TestProfiles.Stage($"s{i}", seconds, seconds, bytes, bytes, bytes, bytes, bytes / 2, i > 0 ? bytes / 2 : 0);

    /// <summary>Each profile with the figure set it stands for.</summary>
    public static TheoryData<string> Extremes => ["huge-bytes-tiny-seconds", "huge-and-one-byte", "tiny-and-huge-seconds", "zero-everywhere", "denormal-seconds", "huge-fixed"];

    private static Profile Extreme(string name) => name switch
    {
        "huge-bytes-tiny-seconds" => Stages(Big, [.. Enumerable.Range(0, 8).Select(i => Stage(i, 1e-300, Big))]),
        "huge-and-one-byte" => Stages(1, [.. Enumerable.Range(0, 8).Select(i => Stage(i, i % 2 == 0 ? 1e-300 : 1, i % 2 == 0 ? Big : 1))]),
        "tiny-and-huge-seconds" => Stages(1000, [.. Enumerable.Range(0, 8).Select(i => Stage(i, i % 2 == 0 ? 1e-300 : 1e300, 1000 + i))]),
        "zero-everywhere" => Stages(0, [.. Enumerable.Range(0, 8).Select(i => Stage(i, 0, 0))]),
        "denormal-seconds" => Stages(1000, [.. Enumerable.Range(0, 8).Select(i => Stage(i, 5e-324, 1000))]),
        "huge-fixed" => Stages(Big, [.. Enumerable.Range(0, 3).Select(i => Stage(i, 1e-9, Big))]),
        _ => throw new ArgumentException(name),
    };

    // In this process, for speed: an abort in OR-Tools would end the test run, which fails it as loudly.
    [Theory]
    [MemberData(nameof(Extremes))]
    public void Given_extreme_figures_When_planned_by_every_solver_Then_a_plan_or_a_coded_error_and_never_an_abort(string name)
    {
        _cli.WriteProfile("x.profile.yaml", Extreme(name));
        foreach (string solver in new[] { "auto", "mip", "cpsat", "exact" })
            foreach (string cap in new[] { "100%", "60%", "1" })
            {
                var (exit, _, err) = _cli.Run("plan", "--profile", "x.profile.yaml", "--memory-cap", cap, "--solver", solver, "--time-limit", "5", "--out", "x.plan.yaml");
                Assert.True(exit == 0 || (exit == 1 && err.Contains("error ACKPT", StringComparison.Ordinal)), $"{name} {solver} {cap}: exit {exit}: {err}");
                Assert.False(err.Contains("   at ", StringComparison.Ordinal) || err.Contains("ACKPT082", StringComparison.Ordinal), $"{name} {solver} {cap}: {err}");
                if (exit == 0) Assert.True(PlanFile.Read(_cli.PathOf("x.plan.yaml")).Predicted!.PeakBytes >= 0);
            }
    }

    [Fact]
    public void Given_byte_counts_whose_sum_overflows_a_long_When_planned_Then_ACKPT045_and_no_negative_peak()
    {
        var profile = Stages(long.MaxValue / 4, [.. Enumerable.Range(0, 8).Select(i => Stage(i, 0.01, long.MaxValue / 8))]);
        var e = Assert.Throws<AckptException>(() => new StepCostModel(profile));
        Assert.Equal(ErrorCodes.ProfileOutOfRange, e.Code);
        var request = new PlanRequest { Profile = profile, Cap = MemoryCap.Parse("60%"), ProfileFile = "p.yaml" };
        var planned = Assert.Throws<AckptException>(() => CheckpointPlanner.Plan(request));
        Assert.Equal((ErrorCodes.ProfileOutOfRange, "p.yaml"), (planned.Code, planned.File));
        Assert.Contains("overflow", planned.Message);
    }

    [Fact]
    public void Given_fixed_memory_whose_parts_overflow_a_long_When_modelled_Then_ACKPT045()
    {
        var profile = TestProfiles.Uniform(4) with { FixedBytes = new FixedBytes(long.MaxValue / 2, long.MaxValue / 2, long.MaxValue / 2, 0) };
        Assert.Equal(ErrorCodes.ProfileOutOfRange, Assert.Throws<AckptException>(() => new StepCostModel(profile)).Code);
    }

    [Fact]
    public void Given_seconds_whose_sum_is_infinite_When_modelled_Then_ACKPT045()
    {
        var profile = Stages(1000, [.. Enumerable.Range(0, 4).Select(i => Stage(i, 1e308, 1000))]);
        Assert.Equal(ErrorCodes.ProfileOutOfRange, Assert.Throws<AckptException>(() => new StepCostModel(profile)).Code);
    }

    [Fact]
    public void Given_markup_characters_in_the_target_and_stage_names_When_shown_and_planned_Then_they_print_as_written()
    {
        string[] names = ["[red]", "[/]", "]", "[", "a[b", "[[x]]", "[link=x]y[/]", "\u001b[31m"];
        var profile = TestProfiles.Uniform(names.Length) with { Target = "[bold]tgt[/" };
        profile = profile with { Stages = [.. profile.Stages.Select((s, i) => s with { Name = names[i] })] };
        _cli.WriteProfile("m.profile.yaml", profile);

        var shown = _cli.Run("show", "m.profile.yaml", "--svg", "m.svg");
        Assert.True(shown.Exit == 0, shown.Err);
        Assert.Contains("[bold]tgt[/", shown.Out);
        Assert.Contains("[link=x]y[/]", shown.Out);
        var planned = _cli.Run("plan", "--profile", "m.profile.yaml", "--memory-cap", "90%", "--out", "m.plan.yaml");
        Assert.True(planned.Exit == 0, planned.Err);
        var plan = _cli.Run("show", "m.plan.yaml", "--svg", "p.svg");
        Assert.True(plan.Exit == 0, plan.Err);
        Assert.Contains("[bold]tgt[/", plan.Out);
    }

    [Fact]
    public void Given_markup_characters_in_a_plan_files_baseline_and_sweep_names_When_shown_Then_they_print_as_written()
    {
        _cli.WriteProfile("m.profile.yaml", TestProfiles.Uniform(6));
        Assert.Equal(0, _cli.Run("plan", "--profile", "m.profile.yaml", "--memory-cap", "90%", "--out", "m.plan.yaml", "--sweep").Exit);
        // Edited as text, quoted as YAML wants them (how the writer quotes such names is the plan format's own test).
        string text = File.ReadAllText(_cli.PathOf("m.plan.yaml"));
        text = text.Replace("{ name: every_stage,", "{ name: \"[red]odd[/\",").Replace("uniform_name: uniform_", "uniform_name: \"[[u]\", was: ");
        text = System.Text.RegularExpressions.Regex.Replace(text, ", was: [0-9]+", "");
        File.WriteAllText(_cli.PathOf("m.plan.yaml"), text);
        Assert.Contains(PlanFile.Read(_cli.PathOf("m.plan.yaml")).Sweep, p => p.UniformName == "[[u]");

        var (exit, output, err) = _cli.Run("show", "m.plan.yaml");
        Assert.True(exit == 0, err);
        Assert.Contains("[red]odd[/", output);
        Assert.Contains("[[u]", output);
    }

    [Theory]
    [InlineData(5e-324)]
    [InlineData(0)]
    [InlineData(1e-310)]
    [InlineData(1e300)]
    public async Task Given_seconds_at_the_edges_When_drawn_Then_the_chart_is_finite_svg_with_bounded_ticks(double seconds)
    {
        var profile = Stages(1000, [.. Enumerable.Range(0, 4).Select(i => Stage(i, seconds, 1000 + i))]);
        var model = new StepCostModel(profile);
        var draw = Task.Run(() => StepChart.Render(model, [new("none", Baselines.None(4)), new("plan", Baselines.EveryStage(4), IsPlan: true)], 5000, [], "t"));
        string svg = await draw.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.StartsWith("<svg", svg);
        Assert.DoesNotContain("NaN", svg);
        Assert.DoesNotContain("∞", svg);
        Assert.True(svg.Split("<line").Length < 200, "a bounded number of ticks");
    }

    [Theory]
    [InlineData(5e-324)]
    [InlineData(2.5e-323)] // a fifth of it rounds to 10^-324 = 0: the old step was 0 and the ticks never ended
    [InlineData(1e-310)]
    [InlineData(1e300)]
    [InlineData(double.NaN)]
    [InlineData(0)]
    public void Given_a_value_at_the_edges_When_the_bench_axis_rounds_it_Then_a_positive_round_ceiling_and_at_most_a_dozen_ticks(double v)
    {
        double ceiling = NiceScale.NiceCeiling(v);
        Assert.True(ceiling > 0 && double.IsFinite(ceiling) && (ceiling >= v || double.IsNaN(v)), $"{ceiling}");
        Assert.InRange(NiceScale.Ticks(v).Take(100).Count(), double.IsNaN(v) ? 0 : 1, 12);
    }

    [Fact]
    public void Given_a_denormal_range_When_ticked_Then_the_ends_only_and_no_endless_loop()
    {
        Assert.Equal([0, 5e-324], NiceScale.Ticks(0, 5e-324));
        Assert.Empty(NiceScale.Ticks(0, double.PositiveInfinity));
        Assert.InRange(NiceScale.Ticks(1e18, 1e18 + 1e3).Count(), 1, 12);
    }
}
