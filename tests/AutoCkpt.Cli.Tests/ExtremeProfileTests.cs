using AutoCkpt.Formats.Plans;
using AutoCkpt.Formats.Profiles;
using AutoCkpt.Testing;
using Xunit;

namespace AutoCkpt.Cli.Tests;

/// <summary>
/// Profiles with figures at the edges of what a profile file may hold (bytes up to 2⁵⁰, seconds from 5e-324 and 0 to
/// 1e300, names with markup): the tool plans them or refuses with a code, and <c>show</c> prints and draws them. The
/// cost model's and the charts' own edge tests are tests/AutoCkpt.Planner.Tests/ExtremeProfileTests.cs.
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
}
