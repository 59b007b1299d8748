using Xunit;

namespace AutoCkpt.Cli.Tests.EndToEnd;

/// <summary>A user's plan, made by <c>dotnet build</c> beside the app, outlives profiling and benchmarking the project.</summary>
[Collection(PlannedAppCollection.Name)]
public sealed class PlannedAppTests(PlannedApp app)
{
    [Fact]
    public void Given_a_project_whose_profile_does_not_exist_yet_When_profiled_from_its_project_file_Then_it_builds_and_writes_the_profile()
    {
        Assert.True(app.FirstProfile.ExitCode == 0, app.FirstProfile.ToString());
        Assert.True(File.Exists(app.ProfilePath), app.FirstProfile.ToString());
    }

    [Fact]
    public void Given_the_profile_When_the_project_is_built_Then_the_plan_lands_beside_the_app()
    {
        Assert.True(app.Build.ExitCode == 0, app.Build.ToString());
        Assert.NotNull(app.PlanAfterBuild);
    }

    [Fact]
    public void Given_a_plan_made_by_the_build_When_the_project_is_profiled_again_Then_the_plan_is_kept_as_it_was()
    {
        Assert.True(app.Reprofile.ExitCode == 0, app.Reprofile.ToString());
        // Nothing changed but the profile autockpt wrote and the user's own build: no second build.
        Assert.Contains($"not building {app.ProjectPath} ({app.Configuration}): up to date", app.Reprofile.Out);
        Assert.NotNull(app.PlanAfterBuild);
        Assert.Equal(app.PlanAfterBuild, app.PlanAfterProfile);
    }

    [Fact]
    public void Given_a_plan_made_by_the_build_When_the_project_is_benched_Then_the_plan_is_kept_as_it_was()
    {
        Assert.Contains($"building {app.ProjectPath} ({app.Configuration}): '{Path.Combine(app.AppDir, "Program.cs")}' changed since the last build", app.Bench.Out);
        Assert.NotNull(app.PlanAfterBuild);
        Assert.Equal(app.PlanAfterBuild, app.PlanAfterBench);
    }
}
