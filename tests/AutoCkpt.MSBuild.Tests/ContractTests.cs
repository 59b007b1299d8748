using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Options;
using AutoCkpt.Formats.Plans;
using AutoCkpt.MSBuild.Tests.Support;


namespace AutoCkpt.MSBuild.Tests;

/// <summary>
/// The task checks the planner properties with the command line's own parsers; these check, through the task, that it
/// lets a value through to the planner exactly when the command line accepts it, and otherwise fails at the property.
/// </summary>
public sealed class ContractTests : IDisposable
{
    private readonly TaskFixture _f = new();

    public void Dispose() => _f.Dispose();

    /// <summary>Runs the task with <paramref name="set"/> applied; true when it reached the planner.</summary>
    private bool ReachesThePlanner(Action<GeneratePlan> set, string cap = "1GiB")
    {
        var tool = FakeTool.Writing("format: autockpt-plan/1\n");
        var task = _f.Task(tool, cap);
        set(task);
        bool ok = task.Execute();
        Assert.Equal(ok, tool.Calls.Count == 1);
        Assert.All(_f.Engine.Errors, e => Assert.Equal(("ACKPT060", _f.ProjectPath), (e.Code, e.File)));
        return ok;
    }

    private static bool Accepts(Action parse)
    {
        try { parse(); return true; }
        catch (AckptException) { return false; }
    }

    [Theory]
    [InlineData("6GiB")] [InlineData("512 MB")] [InlineData("8000000000")] [InlineData("60%")] [InlineData("1.5e3 kib")]
    [InlineData("0")] [InlineData("-1GiB")] [InlineData("6 GiBs")] [InlineData("GiB")] [InlineData("6 G")] [InlineData(".5TB")]
    [InlineData("20 MiB")] [InlineData("0.5")] [InlineData("1e19")] [InlineData("1EiB")] [InlineData("1048576TiB")] [InlineData("1048577TiB")]
    [InlineData("1e-300")] [InlineData("5e-324")] [InlineData("1e400")] [InlineData("1e6%")] [InlineData("2e6%")] [InlineData("1e400%")]
    [InlineData("range:50%")] [InlineData("RANGE: 0 %")] [InlineData("range:101%")] [InlineData("range:50MiB")]
    public void Given_a_cap_When_the_task_runs_Then_it_reaches_the_planner_exactly_when_MemoryCap_accepts_it(string cap)
    {
        Assert.Equal(Accepts(() => MemoryCap.Parse(cap)), ReachesThePlanner(_ => { }, cap));
    }

    [Theory]
    [InlineData("2%")] [InlineData("0")] [InlineData("0%")] [InlineData("0 GiBs")] [InlineData("1MiB")] [InlineData("99.5%")]
    [InlineData("100%")] [InlineData("-1")] [InlineData("2 percent")] [InlineData("512 MB")]
    [InlineData("0.5")] [InlineData("1e19")] [InlineData("5e-324")] [InlineData("1e400%")] [InlineData("0 MiB")] [InlineData("1 MiB")]
    public void Given_a_headroom_When_the_task_runs_Then_it_reaches_the_planner_exactly_when_MemoryCap_accepts_it(string headroom)
    {
        Assert.Equal(Accepts(() => MemoryCap.ParseHeadroom(headroom)), ReachesThePlanner(t => t.Headroom = headroom));
    }

    [Theory]
    [InlineData("Solver", "cpsat")] [InlineData("Solver", "gurobi")] [InlineData("Solver", "Auto")]
    [InlineData("TimeLimit", "2.5")] [InlineData("TimeLimit", "0")] [InlineData("TimeLimit", "604800")] [InlineData("TimeLimit", "604801")] [InlineData("TimeLimit", "NaN")]
    [InlineData("MaxSegment", "4")] [InlineData("MaxSegment", "0")] [InlineData("MaxSegment", "+4")] [InlineData("MaxSegment", "1.5")] [InlineData("MaxSegment", "99999999999")]
    public void Given_a_solver_option_When_the_task_runs_Then_it_reaches_the_planner_exactly_when_the_command_line_accepts_it(string property, string value)
    {
        Action parse = property switch
        {
            "Solver" => () => PlannerOptionText.ParseSolver(value.ToLowerInvariant()), // the property, like MSBuild's own, ignores case
            "TimeLimit" => () => PlannerOptionText.ParseTimeLimit(value),
            _ => () => PlannerOptionText.ParseMaxSegment(value),
        };

        Assert.Equal(Accepts(parse), ReachesThePlanner(t => typeof(GeneratePlan).GetProperty(property)!.SetValue(t, value)));
    }

    [Fact]
    public void Given_a_bad_cap_When_the_task_runs_Then_its_error_is_the_command_lines_own_message_naming_the_property()
    {
        string cli = Assert.Throws<AckptException>(() => MemoryCap.Parse("6 GiBs")).Message;

        Assert.False(ReachesThePlanner(_ => { }, "6 GiBs"));

        Assert.Equal(cli.Replace("memory cap '6 GiBs'", "AutoCkptMemoryCap '6 GiBs'"), Assert.Single(_f.Engine.Errors).Message);
    }

    [Theory]
    [InlineData("head")] [InlineData("blocks.*;head")] [InlineData("blocks.0, blocks.1")] [InlineData("*")]
    [InlineData("blocks 0")] [InlineData("a,,b")] [InlineData("head;")] [InlineData("x?")] [InlineData("\"a\"")]
    public void Given_no_tidy_patterns_When_checked_by_the_task_and_by_NoTidyPatterns_Then_both_accept_or_both_reject(string patterns)
    {
        bool formatsAccepts;
        try { NoTidyPatterns.Parse([patterns]); formatsAccepts = true; }
        catch (AckptException) { formatsAccepts = false; }

        var options = new AutoCkpt.MSBuild.Options.PlanOptions("model.profile.yaml", "60%", "", "", "") { NoTidy = patterns.Trim() };
        Assert.Equal(formatsAccepts, options.Problems().Count == 0);
    }

    [Fact]
    public void Given_the_default_plan_file_name_When_compared_with_the_props_Then_they_agree()
    {
        string props = File.ReadAllText(Path.Combine(RepoPaths.Root, "src", "MSBuild", "build", "AutoCkpt.MSBuild.props"));

        Assert.Contains($">{PlanFile.DefaultFileName}</AutoCkptPlanFile>", props);
    }
}
