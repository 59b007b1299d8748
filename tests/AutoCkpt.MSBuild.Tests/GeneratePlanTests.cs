using AutoCkpt.MSBuild.Tests.Support;

namespace AutoCkpt.MSBuild.Tests;

public sealed class GeneratePlanTests : IDisposable
{
    private readonly TaskFixture _f = new();

    public void Dispose() => _f.Dispose();

    [Fact]
    public void Given_valid_properties_When_executed_Then_runs_dotnet_exec_plan_with_every_option_and_the_plan_as_out()
    {
        var tool = FakeTool.Writing("format: autockpt-plan/1\n");
        var task = _f.Task(tool, cap: "60%");
        task.Headroom = " 1GiB ";
        task.Solver = "cpsat";
        task.TimeLimit = "2.5";
        task.MaxSegment = "4";
        task.NoTidy = " head;blocks.* ";

        Assert.True(task.Execute());

        var (args, workDir) = Assert.Single(tool.Calls);
        Assert.Equal(_f.Root, workDir);
        Assert.Equal(["plan", "--profile", _f.ProfilePath, "--memory-cap", "60%", "--headroom", "1GiB", "--solver", "cpsat",
            "--time-limit", "2.5", "--max-segment", "4", "--no-tidy", "head;blocks.*", "--out", _f.PlanPath], args);
        var commandLine = Assert.Single(_f.Engine.Messages.OfType<Microsoft.Build.Framework.TaskCommandLineEventArgs>());
        Assert.Equal($"{_f.HostPath} exec {_f.CliPath} {string.Join(" ", args.Select(a => a is "60%" or "head;blocks.*" ? $"\"{a}\"" : a))}", commandLine.CommandLine.TrimEnd());
    }

    [Fact]
    public void Given_AutoCkptVerify_When_executed_Then_the_planner_verifies_on_the_built_app_with_its_target_and_device()
    {
        var tool = FakeTool.Writing("format: autockpt-plan/1\n");
        var task = _f.Task(tool, cap: "range:50%");
        task.Verify = true;
        task.AppAssembly = "/app/bin/Release/net10.0/App.dll";
        task.ExpectedCheckpointTarget = " tiny-mlp ";
        task.TargetDevice = "CPU";

        Assert.True(task.Execute());

        var (args, _) = Assert.Single(tool.Calls);
        Assert.Equal(["plan", "--profile", _f.ProfilePath, "--memory-cap", "range:50%", "--verify", "--project", "/app/bin/Release/net10.0/App.dll",
            "--target", "tiny-mlp", "--device", "cpu", "--out", _f.PlanPath], args);
    }

    [Fact]
    public void Given_no_AutoCkptVerify_When_executed_Then_the_planner_does_not_verify()
    {
        var tool = FakeTool.Writing("format: autockpt-plan/1\n");
        var task = _f.Task(tool, cap: "60%");
        task.AppAssembly = "/app/App.dll";

        Assert.True(task.Execute());

        Assert.DoesNotContain("--verify", Assert.Single(tool.Calls).Arguments);
    }

    [Fact]
    public void Given_a_successful_planner_When_executed_Then_the_plan_holds_its_output_and_counts_as_changed()
    {
        var task = _f.Task(FakeTool.Writing("format: autockpt-plan/1\n"));

        Assert.True(task.Execute());

        Assert.Equal("format: autockpt-plan/1\n", File.ReadAllText(_f.PlanPath));
        Assert.True(task.PlanChanged);
    }

    [Fact]
    public void Given_the_same_plan_content_When_executed_again_Then_it_counts_as_unchanged()
    {
        Assert.True(_f.Task(FakeTool.Writing("same\n")).Execute());

        var again = _f.Task(FakeTool.Writing("same\n"));
        Assert.True(again.Execute());

        Assert.False(again.PlanChanged);
    }

    [Fact]
    public void Given_bad_property_values_When_executed_Then_each_is_an_ACKPT060_error_on_the_project_file_and_no_process_starts()
    {
        var tool = FakeTool.Writing("x");
        var task = _f.Task(tool, cap: "6 GiBs");
        task.Solver = "gurobi";
        task.TimeLimit = "-1";
        task.MaxSegment = "two";
        task.Headroom = "100%";

        Assert.False(task.Execute());

        Assert.Empty(tool.Calls);
        Assert.Equal(5, _f.Engine.Errors.Count);
        Assert.All(_f.Engine.Errors, e => Assert.Equal(("ACKPT060", _f.ProjectPath), (e.Code, e.File)));
        Assert.Contains(_f.Engine.Errors, e => e.Message!.Contains("AutoCkptMemoryCap '6 GiBs'"));
        Assert.Contains(_f.Engine.Errors, e => e.Message!.Contains("AutoCkptSolver 'gurobi'"));
        Assert.Contains(_f.Engine.Errors, e => e.Message!.Contains("AutoCkptTimeLimit '-1'"));
        Assert.Contains(_f.Engine.Errors, e => e.Message!.Contains("AutoCkptMaxSegment 'two'"));
        Assert.Contains(_f.Engine.Errors, e => e.Message!.Contains("AutoCkptHeadroom '100%' must be less than 100% of the cap"));
    }

    [Fact]
    public void Given_a_bad_property_and_a_plan_from_an_earlier_build_When_executed_Then_ACKPT060_and_the_stale_plan_is_deleted()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_f.PlanPath)!);
        File.WriteAllText(_f.PlanPath, "old plan");
        var tool = FakeTool.Writing("x");

        Assert.False(_f.Task(tool, cap: "6 GiBs").Execute());

        Assert.Empty(tool.Calls);
        Assert.Equal("ACKPT060", Assert.Single(_f.Engine.Errors).Code);
        Assert.False(File.Exists(_f.PlanPath));
        Assert.Contains(_f.Engine.Messages, m => m.Message!.Contains("deleted the stale plan"));
    }

    [Fact]
    public void Given_no_command_line_and_a_plan_from_an_earlier_build_When_executed_Then_ACKPT062_and_the_stale_plan_is_deleted()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_f.PlanPath)!);
        File.WriteAllText(_f.PlanPath, "old plan");
        var task = _f.Task(FakeTool.Writing("x"));
        task.CliAssembly = Path.Combine(_f.Root, "nowhere", "autockpt.dll");

        Assert.False(task.Execute());

        Assert.Equal("ACKPT062", Assert.Single(_f.Engine.Errors).Code);
        Assert.False(File.Exists(_f.PlanPath));
    }

    [Theory]
    [InlineData("1e12")]
    [InlineData("604801")]
    [InlineData("Infinity")]
    public void Given_a_time_limit_past_a_week_When_executed_Then_ACKPT060_as_the_planner_would_refuse_it(string limit)
    {
        var task = _f.Task(FakeTool.Writing("x"));
        task.TimeLimit = limit;

        Assert.False(task.Execute());

        Assert.Contains($"AutoCkptTimeLimit '{limit}'", Assert.Single(_f.Engine.Errors).Message);
    }

    [Fact]
    public void Given_no_memory_cap_When_executed_Then_ACKPT060_names_AutoCkptMemoryCap()
    {
        Assert.False(_f.Task(FakeTool.Writing("x"), cap: "").Execute());

        var e = Assert.Single(_f.Engine.Errors);
        Assert.Equal("ACKPT060", e.Code);
        Assert.StartsWith("AutoCkptMemoryCap is not set", e.Message);
    }

    [Fact]
    public void Given_a_missing_profile_When_executed_Then_ACKPT020_on_the_profile_and_a_stale_plan_is_deleted()
    {
        File.Delete(_f.ProfilePath);
        Directory.CreateDirectory(Path.GetDirectoryName(_f.PlanPath)!);
        File.WriteAllText(_f.PlanPath, "old plan");

        Assert.False(_f.Task(FakeTool.Writing("x")).Execute());

        var e = Assert.Single(_f.Engine.Errors);
        Assert.Equal(("ACKPT020", _f.ProfilePath), (e.Code, e.File));
        Assert.False(File.Exists(_f.PlanPath));
    }

    [Fact]
    public void Given_the_planner_reports_errors_and_warnings_When_executed_Then_they_keep_code_file_and_line_and_the_stale_plan_is_deleted()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_f.PlanPath)!);
        File.WriteAllText(_f.PlanPath, "old plan");
        var tool = FakeTool.Failing(1,
            $"{_f.ProfilePath}: warning ACKPT043: the time limit ran out; gap 0.5%.",
            $"{_f.ProfilePath}(12,5): error ACKPT021: stages[0].forward_seconds is missing.",
            "error ACKPT040: no plan fits 1 B; the smallest feasible peak is 9.64 MiB.");

        Assert.False(_f.Task(tool).Execute());

        var w = Assert.Single(_f.Engine.Warnings);
        Assert.Equal(("ACKPT043", _f.ProfilePath), (w.Code, w.File));
        Assert.Equal(2, _f.Engine.Errors.Count);
        var malformed = _f.Engine.Errors[0];
        Assert.Equal(("ACKPT021", _f.ProfilePath, 12, 5), (malformed.Code, malformed.File, malformed.LineNumber, malformed.ColumnNumber));
        Assert.Equal("stages[0].forward_seconds is missing.", malformed.Message);
        Assert.Equal("ACKPT040", _f.Engine.Errors[1].Code);
        Assert.Contains("smallest feasible peak is 9.64 MiB", _f.Engine.Errors[1].Message);
        Assert.False(File.Exists(_f.PlanPath));
    }

    [Fact]
    public void Given_the_planner_fails_without_a_diagnostic_When_executed_Then_ACKPT062_quotes_its_last_output()
    {
        Assert.False(_f.Task(FakeTool.Failing(134, "Unhandled exception.", "System.DllNotFoundException: libortools.so")).Execute());

        var e = Assert.Single(_f.Engine.Errors);
        Assert.Equal("ACKPT062", e.Code);
        Assert.Contains("exited with code 134", e.Message);
        Assert.Contains("System.DllNotFoundException: libortools.so", e.Message);
    }

    [Fact]
    public void Given_the_planner_exits_0_without_writing_When_executed_Then_ACKPT062()
    {
        Assert.False(_f.Task(new FakeTool(_ => (0, []))).Execute());

        Assert.Equal("ACKPT062", Assert.Single(_f.Engine.Errors).Code);
    }

    [Fact]
    public void Given_a_dotnet_host_that_does_not_exist_When_executed_Then_ACKPT062_names_AutoCkptDotnetHost_and_the_stale_plan_is_deleted()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(_f.PlanPath)!);
        File.WriteAllText(_f.PlanPath, "old plan");
        var tool = FakeTool.Writing("x");
        var task = _f.Task(tool);
        task.DotnetHost = Path.Combine(_f.Root, "nowhere", "dotnet");

        Assert.False(task.Execute());

        Assert.Empty(tool.Calls);
        var e = Assert.Single(_f.Engine.Errors);
        Assert.Equal(("ACKPT062", _f.ProjectPath), (e.Code, e.File));
        Assert.Contains("AutoCkptDotnetHost", e.Message);
        Assert.False(File.Exists(_f.PlanPath));
    }

    [Fact]
    public void Given_no_command_line_at_the_path_When_executed_Then_ACKPT062_names_it()
    {
        var tool = FakeTool.Writing("x");
        var task = _f.Task(tool);
        task.CliAssembly = Path.Combine(_f.Root, "nowhere", "autockpt.dll");

        Assert.False(task.Execute());

        Assert.Empty(tool.Calls);
        Assert.Equal(("ACKPT062", task.CliAssembly), (Assert.Single(_f.Engine.Errors).Code, _f.Engine.Errors[0].File));
    }

    [Fact]
    public void Given_a_real_child_process_When_executed_Then_it_gets_each_argument_whole_in_the_project_folder_and_its_coded_lines_are_errors()
    {
        if (OperatingSystem.IsWindows()) return; // a shell script stands in for dotnet; AutoCkpt's tests run on Linux (libtorch-cpu-linux-x64)
        File.WriteAllText(_f.HostPath, """
            #!/bin/sh
            echo "cwd=$(pwd)"
            for a in "$@"; do echo "arg=[$a]"; done
            echo "$2: warning ACKPT043: the time limit ran out; gap 0.5%." >&2
            echo "$5(3,7): error ACKPT021: stages[0].forward_seconds is missing." >&2
            exit 1
            """.Replace("\r", ""));
        File.SetUnixFileMode(_f.HostPath, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Directory.CreateDirectory(Path.GetDirectoryName(_f.PlanPath)!);
        File.WriteAllText(_f.PlanPath, "old plan");
        var task = _f.Task(FakeTool.Writing("not used"), cap: "512 MB");
        task.InProcessTool = null;
        task.Solver = "exact";

        Assert.False(task.Execute());

        var output = _f.Engine.Messages.Select(m => m.Message).ToList();
        Assert.Contains($"cwd={_f.Root}", output);
        Assert.Contains("arg=[512 MB]", output);
        Assert.Contains("arg=[--solver]", output);
        Assert.Contains($"arg=[{_f.PlanPath}]", output);
        Assert.Equal(("ACKPT043", _f.CliPath), (Assert.Single(_f.Engine.Warnings).Code, _f.Engine.Warnings[0].File));
        var e = Assert.Single(_f.Engine.Errors);
        Assert.Equal(("ACKPT021", _f.ProfilePath, 3, 7), (e.Code, e.File, e.LineNumber, e.ColumnNumber));
        Assert.False(File.Exists(_f.PlanPath));
    }
}
