using AutoCkpt.MSBuild.Tests.Support;

namespace AutoCkpt.MSBuild.Tests;

public sealed class ProfileModelTests : IDisposable
{
    private readonly TaskFixture _f = new();

    public void Dispose() => _f.Dispose();

    private ProfileModel Task(FakeTool tool) => new()
    {
        InProcessTool = tool.Run,
        DotnetHost = _f.HostPath,
        BuildEngine = _f.Engine,
        ProjectAssembly = Path.Combine(_f.Root, "bin", "app.dll"),
        ProfileFile = _f.ProfilePath,
        CliAssembly = _f.CliPath,
        CheckpointTarget = "gpt2-small",
        Device = "cuda",
        ExtraArguments = ["--batch-size", "8"],
        ProjectFile = _f.ProjectPath,
    };

    [Fact]
    public void Given_profile_on_build_When_executed_Then_it_runs_the_profile_verb_on_the_built_app_and_replaces_the_profile()
    {
        var runner = FakeTool.Writing("format: autockpt-profile/1\n");

        Assert.True(Task(runner).Execute());

        var args = Assert.Single(runner.Calls).Arguments;
        Assert.Equal(["profile", "--project", Path.Combine(_f.Root, "bin", "app.dll"), "--target", "gpt2-small",
            "--device", "cuda", "--batch-size", "8", "--out", _f.ProfilePath], args);
        Assert.Equal("format: autockpt-profile/1\n", File.ReadAllText(_f.ProfilePath));
    }

    [Fact]
    public void Given_the_profiler_fails_When_executed_Then_its_error_is_reported_and_the_existing_profile_is_kept()
    {
        string before = File.ReadAllText(_f.ProfilePath);
        var runner = FakeTool.Failing(1, "error ACKPT028: out of memory at batch size 8: try --batch-size 4.");

        Assert.False(Task(runner).Execute());

        Assert.Equal("ACKPT028", Assert.Single(_f.Engine.Errors).Code);
        Assert.Equal(before, File.ReadAllText(_f.ProfilePath));
    }

    [Fact]
    public void Given_AutoCkptUnits_When_executed_Then_the_patterns_reach_the_profiler_as_units()
    {
        var runner = FakeTool.Writing("format: autockpt-profile/1\n");
        var task = Task(runner);
        task.Units = " layers.*;blocks.*.attn ";

        Assert.True(task.Execute());

        var args = Assert.Single(runner.Calls).Arguments.ToList();
        Assert.Equal("layers.*,blocks.*.attn", args[args.IndexOf("--units") + 1]);
    }

    [Fact]
    public void Given_a_bad_AutoCkptUnits_When_executed_Then_ACKPT100_names_the_property_and_nothing_runs()
    {
        var runner = FakeTool.Writing("format: autockpt-profile/1\n");
        var task = Task(runner);
        task.Units = "layers.*;;head";

        Assert.False(task.Execute());

        Assert.Empty(runner.Calls);
        var error = Assert.Single(_f.Engine.Errors);
        Assert.Equal(("ACKPT100", _f.ProjectPath), (error.Code, error.File));
        Assert.StartsWith("AutoCkptUnits: ", error.Message);
    }

    [Fact]
    public void Given_AutoCkptUnits_that_match_no_module_When_the_profiler_says_so_Then_the_error_names_the_property()
    {
        var runner = FakeTool.Failing(1, "/app/app.csproj: error ACKPT101: --units: unit pattern 'layers.*' matches no module of Net; its module paths include b0.");
        var task = Task(runner);
        task.Units = "layers.*";

        Assert.False(task.Execute());

        var error = Assert.Single(_f.Engine.Errors);
        Assert.Equal("ACKPT101", error.Code);
        Assert.StartsWith("AutoCkptUnits: unit pattern 'layers.*'", error.Message);
    }
}
