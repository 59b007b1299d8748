using Xunit;

namespace AutoCkpt.Cli.Tests.Commands;

[Collection(ConsoleCollection.Name)]
public sealed class ShowCommandTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    private void MakePlan(params string[] extra) =>
        Assert.Equal(0, _cli.Run(["plan", "--profile", "model.profile.yaml", "--memory-cap", "70%", "--out", "plans/m.plan.yaml", "--solver", "exact", .. extra]).Exit);

    [Fact]
    public void Given_a_plan_When_shown_Then_its_segments_baselines_and_stage_names_are_printed()
    {
        _cli.WriteProfile();
        MakePlan();
        var (exit, output, err) = _cli.Run("show", "plans/m.plan.yaml");
        Assert.True(exit == 0, err);
        Assert.Contains("segments", output);
        Assert.Contains("s0", output);
        Assert.Contains("uniform_2", output);
    }

    [Fact]
    public void Given_a_swept_plan_When_drawn_Then_the_svg_has_the_plan_the_baselines_the_cap_and_the_pareto_front()
    {
        _cli.WriteProfile();
        MakePlan("--sweep");
        var (exit, _, err) = _cli.Run("show", "plans/m.plan.yaml", "--svg", "m.svg");
        Assert.True(exit == 0, err);
        string svg = File.ReadAllText(_cli.PathOf("m.svg"));
        Assert.StartsWith("<svg", svg);
        foreach (var part in new[] { "this plan", "none (no checkpointing)", "every_stage", "sqrt_n", "cap ", "Pareto front", "the plan, stage by stage" })
            Assert.Contains(part, svg);
        Assert.True(svg.Split("<polyline").Length >= 7, "memory lines for the plan and 4 baselines and two sweep lines");
    }

    [Fact]
    public void Given_a_profile_When_shown_Then_its_stages_and_predicted_baselines_are_printed_and_drawn()
    {
        _cli.WriteProfile();
        var (exit, output, err) = _cli.Run("show", "model.profile.yaml", "--svg", "p.svg");
        Assert.True(exit == 0, err);
        Assert.Contains("Profile of test", output);
        Assert.Contains("every_stage", output);
        Assert.DoesNotContain("Pareto", File.ReadAllText(_cli.PathOf("p.svg")));
    }

    [Fact]
    public void Given_a_plan_whose_profile_is_gone_When_drawn_Then_ACKPT020_and_no_svg()
    {
        _cli.WriteProfile();
        MakePlan();
        File.Delete(_cli.PathOf("model.profile.yaml"));
        var (exit, _, err) = _cli.Run("show", "plans/m.plan.yaml", "--svg", "m.svg");
        Assert.Equal(1, exit);
        Assert.Contains("error ACKPT020", err);
        Assert.False(File.Exists(_cli.PathOf("m.svg")));
        Assert.Equal(0, _cli.Run("show", "plans/m.plan.yaml").Exit);
    }

    [Fact]
    public void Given_a_file_that_is_neither_When_shown_Then_ACKPT080()
    {
        File.WriteAllText(_cli.PathOf("x.yaml"), "format: something/1\n");
        var (exit, _, err) = _cli.Run("show", "x.yaml");
        Assert.Equal(1, exit);
        Assert.Contains("error ACKPT080", err);
    }
}
