using AutoCkpt.Formats.Plans;
using AutoCkpt.MSBuild.Tests.Support;

namespace AutoCkpt.MSBuild.Tests.EndToEnd;

/// <summary>
/// The project's own plan (written by <c>autockpt plan --project</c> or committed) reaches the build output and the
/// publish folder like content, where <c>Checkpointing.Apply</c> looks. One project, built in order; each test
/// asserts on one step.
/// </summary>
public sealed class ProjectPlanSequence : IDisposable
{
    public ProjectPlanSequence()
    {
        // `autockpt plan --project`, run from elsewhere: the plan lands beside the project file.
        Planned = SampleProject.Run(Path.GetTempPath(), "dotnet",
            ["exec", RepoPaths.CliAssembly, "plan", "--profile", Project.ProfilePath, "--memory-cap", "1GiB", "--project", Project.ProjectPath]);
        ProjectPlanText = File.Exists(ProjectPlanPath) ? File.ReadAllText(ProjectPlanPath) : "";

        First = Project.Dotnet("build");
        OutputPlanText = File.Exists(Project.PlanPath) ? File.ReadAllText(Project.PlanPath) : "";
        App = Project.RunApp();

        Publish = Project.Dotnet("publish", "--no-build", "-c", "Debug", "-o", PublishDir);
        string published = Path.Combine(PublishDir, "autockpt.plan.yaml");
        PublishedPlanText = File.Exists(published) ? File.ReadAllText(published) : "";

        // A new plan (another cap) replaces the project's: the next build copies it (PreserveNewest).
        Replanned = SampleProject.Run(Project.Root, "dotnet", ["exec", RepoPaths.CliAssembly, "plan", "--profile", "app.profile.yaml", "--memory-cap", "2GiB"]);
        Rebuilt = Project.Dotnet("build", "--no-restore");
        RebuiltPlan = File.Exists(Project.PlanPath) ? PlanFile.Read(Project.PlanPath) : null;

        // The same project told to generate its plan: the generated one wins, with a warning.
        Generating = Project.Dotnet("build", "--no-restore", "-p:AutoCkptProfile=app.profile.yaml", "-p:AutoCkptMemoryCap=3GiB");
        GeneratedPlan = File.Exists(Project.PlanPath) ? PlanFile.Read(Project.PlanPath) : null;
    }

    public SampleProject Project { get; } = new(generatesPlan: false);
    public string ProjectPlanPath => Path.Combine(Project.Root, "autockpt.plan.yaml");
    public string PublishDir => Path.Combine(Project.Root, "published");
    public BuildResult Planned { get; }
    public string ProjectPlanText { get; }
    public BuildResult First { get; }
    public string OutputPlanText { get; }
    public BuildResult App { get; }
    public BuildResult Publish { get; }
    public string PublishedPlanText { get; }
    public BuildResult Replanned { get; }
    public BuildResult Rebuilt { get; }
    public Plan? RebuiltPlan { get; }
    public BuildResult Generating { get; }
    public Plan? GeneratedPlan { get; }

    public void Dispose() => Project.Dispose();
}

public sealed class ProjectPlanTests(ProjectPlanSequence s) : IClassFixture<ProjectPlanSequence>
{
    [Fact]
    public void Given_plan_with_project_When_run_from_another_folder_Then_the_plan_is_written_beside_the_project_file_and_says_the_build_carries_it()
    {
        Assert.True(s.Planned.ExitCode == 0, s.Planned.ToString());
        Assert.NotEqual("", s.ProjectPlanText);
        Assert.Contains("This is the project's plan", s.Planned.Output);
    }

    [Fact]
    public void Given_a_project_plan_When_built_Then_it_is_copied_beside_the_app_and_the_app_finds_it()
    {
        Assert.True(s.First.ExitCode == 0, s.First.ToString());
        Assert.False(s.First.PlanTaskRan, "a project with no AutoCkptProfile must not generate a plan");
        Assert.Equal(s.ProjectPlanText, s.OutputPlanText);
        Assert.Contains("plan found: " + s.Project.PlanPath, s.App.Output);
    }

    [Fact]
    public void Given_a_project_plan_When_published_Then_it_is_in_the_publish_folder()
    {
        Assert.True(s.Publish.ExitCode == 0, s.Publish.ToString());
        Assert.Equal(s.ProjectPlanText, s.PublishedPlanText);
    }

    [Fact]
    public void Given_a_newer_project_plan_When_built_again_Then_the_output_gets_the_new_one()
    {
        Assert.True(s.Replanned.ExitCode == 0, s.Replanned.ToString());
        Assert.True(s.Rebuilt.ExitCode == 0, s.Rebuilt.ToString());
        Assert.Equal(2L << 30, s.RebuiltPlan?.MemoryCapBytes);
    }

    [Fact]
    public void Given_a_project_plan_and_AutoCkptProfile_When_built_Then_the_generated_plan_wins_with_ACKPT064()
    {
        Assert.True(s.Generating.ExitCode == 0, s.Generating.ToString());
        Assert.Equal(3L << 30, s.GeneratedPlan?.MemoryCapBytes);
        Assert.Contains(s.Generating.Diagnostics, d => !d.IsError && d.Code == "ACKPT064");
    }
}
