using System.Text.RegularExpressions;
using AutoCkpt.Cli.Output;
using AutoCkpt.Formats;
using AutoCkpt.Formats.Plans;
using AutoCkpt.Formats.Profiles;
using AutoCkpt.Testing;
using Xunit;

namespace AutoCkpt.Cli.Tests.Commands;

[Collection(ConsoleCollection.Name)]
public sealed class PlanCommandTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public void Given_a_profile_When_planned_Then_the_plan_file_starts_with_how_to_regenerate_it_and_the_tables_are_printed()
    {
        _cli.WriteProfile();
        var (exit, output, err) = _cli.Run("plan", "--profile", "model.profile.yaml", "--memory-cap", "70%", "--out", "out/model.plan.yaml");
        Assert.True(exit == 0, err);
        string text = File.ReadAllText(_cli.PathOf("out/model.plan.yaml"));
        Assert.StartsWith("# Made by 'autockpt plan'", text);
        Assert.Contains("dotnet autockpt plan --profile ../model.profile.yaml --memory-cap 70% --out model.plan.yaml", text);
        var plan = PlanFile.Read(_cli.PathOf("out/model.plan.yaml"));
        Assert.Equal("../model.profile.yaml", plan.ProfilePath);
        Assert.True(plan.Predicted!.PeakBytes <= plan.MemoryCapBytes);
        Assert.Contains("this plan", output);
        Assert.Contains("every_stage", output);
        Assert.Contains("Predicted peak", output);
    }

    [Theory]
    [InlineData("range:50%", "range:50% = 50% of the way from the smallest reachable peak")]
    [InlineData("95%", "95% of the none peak")]
    [InlineData("1GiB", "(bytes, not a share of a peak)")]
    public void Given_a_cap_When_planned_Then_the_output_says_what_the_cap_is_a_share_of(string cap, string said)
    {
        _cli.WriteProfile(profile: TestProfiles.SingleOpChain(10));
        var (exit, output, err) = _cli.Run("plan", "--profile", "model.profile.yaml", "--memory-cap", cap, "--out", "p.yaml");
        Assert.True(exit == 0, err);
        Assert.Contains(said, System.Text.RegularExpressions.Regex.Replace(output, @"\s+", " "));
    }

    [Fact]
    public void Given_verify_without_a_project_When_planned_Then_ACKPT080_says_to_give_the_app_and_no_plan_is_written()
    {
        _cli.WriteProfile();
        var (exit, _, err) = _cli.Run("plan", "--profile", "model.profile.yaml", "--memory-cap", "95%", "--out", "p.yaml", "--verify");
        Assert.Equal(1, exit);
        Assert.Contains("error ACKPT080: --verify runs the plan in your app: give the app with --project", err);
        Assert.False(File.Exists(_cli.PathOf("p.yaml")));
    }

    [Fact]
    public void Given_a_plan_written_When_done_Then_it_says_where_Apply_looks_for_it()
    {
        _cli.WriteProfile();
        var (exit, output, err) = _cli.Run("plan", "--profile", "model.profile.yaml", "--memory-cap", "70%");
        Assert.True(exit == 0, err);
        Assert.Contains("Checkpointing.Apply(model) reads autockpt.plan.yaml from the folder the app runs from", System.Text.RegularExpressions.Regex.Replace(output, @"\s+", " "));
        Assert.Contains("AutoCkptProfile", output);
    }

    [Fact]
    public void Given_a_profile_with_its_input_shape_When_planned_Then_the_plan_carries_it()
    {
        _cli.WriteProfile(profile: TestProfiles.Random(new Random(21), 8) with { InputShape = [8, 128] });
        var (exit, _, err) = _cli.Run("plan", "--profile", "model.profile.yaml", "--memory-cap", "70%", "--out", "m.plan.yaml");
        Assert.True(exit == 0, err);
        Assert.Equal([8L, 128], PlanFile.Read(_cli.PathOf("m.plan.yaml")).InputShape);
    }

    [Theory]
    [InlineData(null, "auto", "dp")]
    [InlineData("auto", "auto", "dp")]
    [InlineData("mip", "mip", "SCIP")]
    [InlineData("exact", "exact", "dp")]
    public void Given_a_solver_choice_When_planned_Then_the_plan_says_which_method_proved_it_optimal(string? solver, string method, string backend)
    {
        _cli.WriteProfile();
        string[] args = ["plan", "--profile", "model.profile.yaml", "--memory-cap", "70%", .. solver is null ? [] : new[] { "--solver", solver }];
        var (exit, _, err) = _cli.Run(args);
        Assert.True(exit == 0, err);
        var info = PlanFile.Read(_cli.PathOf("autockpt.plan.yaml")).Solver!;
        Assert.Equal((method, backend, "optimal"), (info.Method, info.Backend, info.Status));
    }

    [Fact]
    public void Given_the_same_profile_and_options_When_planned_twice_Then_the_files_differ_only_in_solve_seconds()
    {
        _cli.WriteProfile();
        string Once(string name)
        {
            Assert.Equal(0, _cli.Run("plan", "--profile", "model.profile.yaml", "--memory-cap", "65%", "--out", name, "--sweep").Exit);
            return string.Join('\n', File.ReadAllLines(_cli.PathOf(name)).Select(l => System.Text.RegularExpressions.Regex.Replace(l, "solve_seconds: [0-9.E-]+", "")));
        }
        Assert.Equal(Once("a.yaml").Replace("--out a.yaml", ""), Once("b.yaml").Replace("--out b.yaml", ""));
    }

    [Fact]
    public void Given_sweep_When_planned_Then_the_pareto_front_is_printed_and_recorded()
    {
        _cli.WriteProfile();
        var (exit, output, _) = _cli.Run("plan", "--profile", "model.profile.yaml", "--memory-cap", "80%", "--sweep", "--solver", "exact");
        Assert.Equal(0, exit);
        Assert.Contains("Pareto front", output);
        var plan = PlanFile.Read(_cli.PathOf(PlanFile.DefaultFileName));
        Assert.Equal(9, plan.Sweep.Count);
        Assert.All(plan.Sweep, s => Assert.True(s.UniformStepSeconds is null || s.OptimalStepSeconds <= s.UniformStepSeconds + 1e-12));
    }

    [Theory]
    [InlineData("1KB", "ACKPT040")]
    [InlineData("12 parsecs", "ACKPT041")]
    [InlineData("-5GB", "ACKPT041")]
    [InlineData("0", "ACKPT041")]
    public void Given_a_bad_cap_When_planned_Then_the_error_code_is_printed_and_no_plan_is_written(string cap, string code)
    {
        _cli.WriteProfile();
        var (exit, _, err) = _cli.Run("plan", "--profile", "model.profile.yaml", "--memory-cap", cap, "--out", "p.yaml");
        Assert.Equal(1, exit);
        Assert.Contains($"error {code}", err);
        Assert.False(File.Exists(_cli.PathOf("p.yaml")));
    }

    [Fact]
    public void Given_a_headroom_option_When_planned_Then_the_plan_records_it_and_its_header_repeats_it()
    {
        _cli.WriteProfile();
        var (exit, output, err) = _cli.Run("plan", "--profile", "model.profile.yaml", "--memory-cap", "70%", "--headroom", "5%", "--out", "h.yaml");
        Assert.True(exit == 0, err);
        var plan = PlanFile.Read(_cli.PathOf("h.yaml"));
        Assert.Equal((long)Math.Floor(plan.MemoryCapBytes * 0.05), plan.HeadroomBytes);
        Assert.True(plan.Predicted!.PeakBytes <= plan.MemoryCapBytes - plan.HeadroomBytes);
        Assert.Contains("--memory-cap 70% --headroom 5% --out h.yaml", File.ReadAllText(_cli.PathOf("h.yaml")));
        Assert.Contains("kept free", output);
    }

    [Theory]
    [InlineData("100%")]
    [InlineData("lots")]
    public void Given_a_bad_headroom_When_planned_Then_ACKPT041_and_no_plan_is_written(string headroom)
    {
        _cli.WriteProfile();
        var (exit, _, err) = _cli.Run("plan", "--profile", "model.profile.yaml", "--memory-cap", "80%", "--headroom", headroom);
        Assert.Equal(1, exit);
        Assert.Contains("error ACKPT041", err);
        Assert.False(File.Exists(_cli.PathOf(PlanFile.DefaultFileName)));
    }

    [Theory]
    [InlineData("--solver", "gurobi")]
    [InlineData("--time-limit", "soon")]
    [InlineData("--time-limit", "0")]
    [InlineData("--max-segment", "0")]
    [InlineData("--max-segment", "2.5")]
    public void Given_a_bad_solver_option_When_planned_Then_ACKPT044(string option, string value)
    {
        _cli.WriteProfile();
        var (exit, _, err) = _cli.Run("plan", "--profile", "model.profile.yaml", "--memory-cap", "80%", option, value);
        Assert.Equal(1, exit);
        Assert.Contains("error ACKPT044", err);
        Assert.False(File.Exists(_cli.PathOf(PlanFile.DefaultFileName)));
    }

    [Theory]
    [InlineData("name: \"b\"", "retained_bytes: 548", "retained_bytes: -5", "ACKPT021", "stages[1].retained_bytes must not be negative")]
    [InlineData("name: \"a\"", "forward_seconds:", "forward_secs:", "ACKPT021", "stages[0].forward_seconds is missing")]
    [InlineData("", "format: autockpt-profile/1", "format: autockpt-profile/9", "ACKPT022", "unknown profile format")]
    public void Given_a_broken_profile_When_planned_Then_the_error_names_the_stage_and_key(string after, string from, string to, string code, string says)
    {
        var profile = TestProfiles.Of(1_000_000, TestProfiles.Stage("a", 0.1, 0.2, 10, 548), TestProfiles.Stage("b", 0.1, 0.2, 10, 548));
        string path = _cli.WriteProfile(profile: profile);
        string text = File.ReadAllText(path);
        int at = text.IndexOf(from, text.IndexOf(after, StringComparison.Ordinal), StringComparison.Ordinal);
        File.WriteAllText(path, text[..at] + to + text[(at + from.Length)..]);
        var (exit, _, err) = _cli.Run("plan", "--profile", "model.profile.yaml", "--memory-cap", "80%");
        Assert.Equal(1, exit);
        Assert.Contains($"model.profile.yaml: error {code}", err);
        Assert.Contains(says, err);
        Assert.False(File.Exists(_cli.PathOf(PlanFile.DefaultFileName)));
    }

    [Fact]
    public void Given_no_profile_file_When_planned_Then_ACKPT020()
    {
        var (exit, _, err) = _cli.Run("plan", "--profile", "missing.yaml", "--memory-cap", "80%");
        Assert.Equal(1, exit);
        Assert.Contains("error ACKPT020", err);
    }

    [Fact]
    public void Given_an_old_plan_When_a_new_plan_fails_Then_the_old_file_is_left_as_it_was()
    {
        _cli.WriteProfile();
        File.WriteAllText(_cli.PathOf("p.yaml"), "old");
        Assert.Equal(1, _cli.Run("plan", "--profile", "model.profile.yaml", "--memory-cap", "1KB", "--out", "p.yaml").Exit);
        Assert.Equal("old", File.ReadAllText(_cli.PathOf("p.yaml")));
    }

    [Fact]
    public void Given_units_recomputing_a_sub_module_When_planned_Then_their_rows_show_what_they_hold_and_the_sub_modules_recompute_time()
    {
        // Eight identical units (8 MB retained, 10 ms forward) whose attention, recomputed, leaves 3.1 MB kept for 3.7 ms:
        // a figure no whole unit, segment or step shares.
        var uniform = TestProfiles.Uniform(8);
        var profile = uniform with
        {
            Stages = [.. uniform.Stages.Select(s => s with { TidyAllowed = false, SubModules = [new SubModuleFigures("attn", 3_100_000, 2_000_000, 4_000_000, -1_000_000, 0.0037)] })],
        };
        _cli.WriteProfile(profile: profile);
        var (exit, output, err) = _cli.Run("plan", "--profile", "model.profile.yaml", "--memory-cap", "75%", "--solver", "exact", "--out", "p.yaml");
        Assert.True(exit == 0, err);
        int subUnits = PlanFile.Read(_cli.PathOf("p.yaml")).Segments.Count(s => s.Option == "attn");
        Assert.True(subUnits > 0, output);
        var rows = output.Split('\n').Where(line => Regex.IsMatch(line, @"\bblocks\.\d\b")).ToList();
        var subRows = rows.Where(line => line.Contains("recompute part")).ToList();
        Assert.Equal(subUnits, subRows.Count);
        Assert.All(subRows, line => Assert.Matches(@"(?<![\d.])3\.7 ms", line));
        Assert.All(subRows, line => Assert.Contains(Fmt.Bytes(3_100_000), line));
    }

    [Fact]
    public void Given_the_tool_as_a_child_process_When_planned_Then_it_exits_0_and_writes_the_plan()
    {
        _cli.WriteProfile();
        var (exit, _, err) = _cli.Exec("plan", "--profile", "model.profile.yaml", "--memory-cap", "75%", "--out", "child.plan.yaml");
        Assert.True(exit == 0, err);
        Assert.Equal(8, PlanFile.Read(_cli.PathOf("child.plan.yaml")).Model.Stages);
    }
}
