using AutoCkpt.Formats.Plans;
using AutoCkpt.MSBuild.Tests.Support;


namespace AutoCkpt.MSBuild.Tests.EndToEnd;

/// <summary>
/// One sample project built in order (first build, unchanged build, publish, new cap, new profile, clean); each
/// test asserts on one step. Sharing the builds keeps this class to about half a minute.
/// </summary>
public sealed class IncrementalBuildSequence : IDisposable
{
    public IncrementalBuildSequence()
    {
        First = Project.Dotnet("build");
        FirstPlan = ReadPlan();
        FirstApp = Project.RunApp();
        DateTime firstWrite = File.GetLastWriteTimeUtc(Project.PlanPath);

        Second = Project.Dotnet("build", "--no-restore");
        SecondPlanUntouched = File.GetLastWriteTimeUtc(Project.PlanPath) == firstWrite;

        Publish = Project.Dotnet("publish", "--no-build", "-c", "Debug", "-o", PublishDir);
        string published = Path.Combine(PublishDir, "autockpt.plan.yaml");
        PublishedPlanMatches = File.Exists(published) && File.ReadAllText(published) == File.ReadAllText(Project.PlanPath);

        // What the plan's header says to run, run from the plan's folder as it says.
        FirstPlanText = File.ReadAllText(Project.PlanPath);
        RegenerateLine = FirstPlanText.Split('\n')[2].TrimStart('#', ' ').TrimEnd();
        Regenerated = SampleProject.Run(Project.OutDir, "dotnet", ["exec", RepoPaths.CliAssembly, .. RegenerateLine.Split(' ').Skip(2)]);
        RegeneratedText = File.ReadAllText(Project.PlanPath);

        // What `autockpt profile` and `autockpt bench` do: build without planning.
        SkipPlan = Project.Dotnet("build", "--no-restore", "-p:AutoCkptSkipPlan=true");
        SkipPlanKeptPlan = File.Exists(Project.PlanPath) && File.ReadAllText(Project.PlanPath) == RegeneratedText;

        NewCap = Project.Dotnet("build", "--no-restore", "-p:AutoCkptMemoryCap=2GiB");
        NewCapPlan = ReadPlan();

        NewHeadroom = Project.Dotnet("build", "--no-restore", "-p:AutoCkptMemoryCap=2GiB", "-p:AutoCkptHeadroom=0");
        NewHeadroomPlan = ReadPlan();
        NewHeadroomText = File.ReadAllText(Project.PlanPath);

        // A re-profiled model: same stages, slower, so the planner sees new figures.
        File.WriteAllText(Project.ProfilePath, File.ReadAllText(Project.ProfilePath).Replace("forward_seconds: 0.002", "forward_seconds: 0.003"));
        NewProfile = Project.Dotnet("build", "--no-restore", "-p:AutoCkptMemoryCap=2GiB");
        NewProfileKeptCap = ReadPlan()?.MemoryCapBytes == 2L << 30;

        Clean = Project.Dotnet("clean", "-p:AutoCkptMemoryCap=2GiB");
    }

    public SampleProject Project { get; } = new();
    public BuildResult First { get; }
    public Plan? FirstPlan { get; }
    public BuildResult FirstApp { get; }
    public BuildResult Second { get; }
    public bool SecondPlanUntouched { get; }
    public BuildResult Publish { get; }
    public bool PublishedPlanMatches { get; }
    public string PublishDir => Path.Combine(Project.Root, "published");
    public string FirstPlanText { get; } = "";
    public string RegenerateLine { get; } = "";
    public BuildResult Regenerated { get; }
    public string RegeneratedText { get; } = "";
    public BuildResult SkipPlan { get; }
    public bool SkipPlanKeptPlan { get; }
    public BuildResult NewCap { get; }
    public Plan? NewCapPlan { get; }
    public BuildResult NewHeadroom { get; }
    public Plan? NewHeadroomPlan { get; }
    public string NewHeadroomText { get; } = "";
    public BuildResult NewProfile { get; }
    public bool NewProfileKeptCap { get; }
    public BuildResult Clean { get; }

    private Plan? ReadPlan() => File.Exists(Project.PlanPath) ? PlanFile.Read(Project.PlanPath) : null;

    public void Dispose() => Project.Dispose();
}

public sealed class IncrementalBuildTests(IncrementalBuildSequence s) : IClassFixture<IncrementalBuildSequence>
{
    [Fact]
    public void Given_a_profile_and_a_cap_When_built_first_Then_a_valid_plan_for_that_cap_lands_next_to_the_app()
    {
        Assert.True(s.First.ExitCode == 0, s.First.ToString());
        Assert.True(s.First.PlanTaskRan, s.First.ToString());
        Assert.NotNull(s.FirstPlan);
        Assert.Equal(1L << 30, s.FirstPlan.MemoryCapBytes);
        Assert.Equal(4, s.FirstPlan.Model.Stages);
    }

    [Fact]
    public void Given_the_first_build_When_the_app_runs_Then_it_finds_the_plan_beside_itself_with_no_path()
    {
        Assert.Contains("plan found: " + s.Project.PlanPath, s.FirstApp.Output);
    }

    [Fact]
    public void Given_nothing_changed_When_built_again_Then_the_plan_target_is_skipped_and_the_plan_untouched()
    {
        Assert.True(s.Second.ExitCode == 0, s.Second.ToString());
        Assert.Contains("Skipping target \"AutoCkptGeneratePlan\" because all output files are up-to-date", s.Second.Output);
        Assert.False(s.Second.PlanTaskRan, s.Second.ToString());
        Assert.True(s.SecondPlanUntouched);
    }

    [Fact]
    public void Given_a_built_project_When_published_Then_the_plan_is_published_beside_the_app()
    {
        Assert.True(s.Publish.ExitCode == 0, s.Publish.ToString());
        Assert.True(s.PublishedPlanMatches, s.Publish.ToString());
    }

    [Fact]
    public void Given_a_plan_made_by_the_build_When_its_header_is_read_Then_it_names_the_real_command_relative_to_the_plan_folder()
    {
        Assert.Equal("dotnet autockpt plan --profile ../../../app.profile.yaml --memory-cap 1GiB --out autockpt.plan.yaml --solver auto --time-limit 10", s.RegenerateLine);
    }

    [Fact]
    public void Given_the_header_command_When_run_from_the_plan_folder_Then_it_remakes_the_same_plan()
    {
        Assert.True(s.Regenerated.ExitCode == 0, s.Regenerated.ToString());
        Assert.Equal(WithoutSolveTime(s.FirstPlanText), WithoutSolveTime(s.RegeneratedText));
    }

    [Fact]
    public void Given_a_built_plan_When_built_with_AutoCkptSkipPlan_Then_no_plan_is_made_and_the_plan_is_kept()
    {
        Assert.True(s.SkipPlan.ExitCode == 0, s.SkipPlan.ToString());
        Assert.False(s.SkipPlan.PlanTaskRan, s.SkipPlan.ToString());
        Assert.True(s.SkipPlanKeptPlan, s.SkipPlan.ToString());
    }

    [Fact]
    public void Given_a_new_cap_When_built_Then_the_plan_is_remade_for_it()
    {
        Assert.True(s.NewCap.PlanTaskRan, s.NewCap.ToString());
        Assert.Equal(2L << 30, s.NewCapPlan?.MemoryCapBytes);
        Assert.Equal((long)Math.Floor((2L << 30) * 0.02), s.NewCapPlan?.HeadroomBytes);
    }

    [Fact]
    public void Given_a_new_headroom_When_built_Then_the_plan_is_remade_with_it()
    {
        Assert.True(s.NewHeadroom.PlanTaskRan, s.NewHeadroom.ToString());
        Assert.Equal(0, s.NewHeadroomPlan?.HeadroomBytes);
        Assert.Contains("--memory-cap 2GiB --headroom 0 --out autockpt.plan.yaml", s.NewHeadroomText);
    }

    [Fact]
    public void Given_a_changed_profile_When_built_Then_the_plan_is_remade()
    {
        Assert.True(s.NewProfile.ExitCode == 0, s.NewProfile.ToString());
        Assert.True(s.NewProfile.PlanTaskRan, s.NewProfile.ToString());
        Assert.True(s.NewProfileKeptCap);
    }

    [Fact]
    public void Given_a_built_project_When_cleaned_Then_the_plan_and_the_stamps_are_gone()
    {
        Assert.True(s.Clean.ExitCode == 0, s.Clean.ToString());
        Assert.False(File.Exists(s.Project.PlanPath));
        Assert.Empty(Directory.GetFiles(s.Project.ObjDir, "autockpt.*"));
    }

    private static string WithoutSolveTime(string plan) =>
        System.Text.RegularExpressions.Regex.Replace(plan, @"solve_seconds: [0-9.eE+-]+", "solve_seconds: _");
}
