namespace AutoCkpt.MSBuild.Tests.EndToEnd;

/// <summary>One sample project built once per diagnostic, with the properties on the command line.</summary>
public sealed class DiagnosticsBuilds : IDisposable
{
    public DiagnosticsBuilds()
    {
        // First, while nothing is built: disabled, with a profile that does not exist, must not complain.
        Disabled = Project.Dotnet("build", "-p:AutoCkptEnabled=false", "-p:AutoCkptProfile=missing.profile.yaml");
        DisabledLeftNothing = !File.Exists(Project.PlanPath) && Directory.GetFiles(Project.ObjDir, "autockpt.*").Length == 0;
        MissingProfile = Project.Dotnet("build", "--no-restore", "-p:AutoCkptProfile=missing.profile.yaml");
        MalformedProfile = Project.Dotnet("build", "--no-restore", "-p:AutoCkptProfile=malformed.profile.yaml");
        InfeasibleCap = Project.Dotnet("build", "--no-restore", "-p:AutoCkptMemoryCap=1B");
        // A plan an earlier build left stands before each bad property: the failed build must not leave it there.
        WriteStalePlan();
        BadProperties = Project.Dotnet("build", "--no-restore", "-p:AutoCkptMemoryCap=6GiBs", "-p:AutoCkptSolver=gurobi");
        BadPropertiesLeftPlan = File.Exists(Project.PlanPath);
        // MSBuild reads yes/on as true, so the bad value is one it cannot read; the check needs no compile.
        WriteStalePlan();
        BadEnabled = Project.Dotnet("msbuild", "-t:AutoCkpt", "-p:AutoCkptEnabled=maybe");
        BadEnabledLeftPlan = File.Exists(Project.PlanPath);
        Warnings = Project.Dotnet("build", "--no-restore", "-p:AutoCkptDevice=cuda", "-p:AutoCkptModelFingerprint=sha256:beef");
    }

    public SampleProject Project { get; } = new();
    public BuildResult Disabled { get; }
    public bool DisabledLeftNothing { get; }
    public BuildResult MissingProfile { get; }
    public BuildResult MalformedProfile { get; }
    public BuildResult InfeasibleCap { get; }
    public BuildResult BadProperties { get; }
    public bool BadPropertiesLeftPlan { get; }
    public BuildResult BadEnabled { get; }
    public bool BadEnabledLeftPlan { get; }
    public BuildResult Warnings { get; }

    private void WriteStalePlan()
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Project.PlanPath)!);
        File.WriteAllText(Project.PlanPath, "# a stale plan from an earlier build\n");
    }

    public void Dispose() => Project.Dispose();
}

public sealed class DiagnosticsBuildTests(DiagnosticsBuilds b) : IClassFixture<DiagnosticsBuilds>
{
    private static LoggedDiagnostic Single(BuildResult r, string code)
    {
        var matches = r.Diagnostics.Where(d => d.Code == code).ToList();
        Assert.True(matches.Count == 1, $"expected one {code}:\n{r}");
        return matches[0];
    }

    [Fact]
    public void Given_AutoCkpt_disabled_When_built_Then_it_succeeds_and_does_nothing()
    {
        Assert.True(b.Disabled.ExitCode == 0, b.Disabled.ToString());
        Assert.DoesNotContain("AutoCkpt", b.Disabled.Output.Replace("AutoCkptProfile=", "").Replace("AutoCkptEnabled=", ""));
        Assert.True(b.DisabledLeftNothing);
    }

    [Fact]
    public void Given_a_missing_profile_When_built_Then_it_fails_with_ACKPT020_on_the_profile()
    {
        Assert.NotEqual(0, b.MissingProfile.ExitCode);
        var d = Single(b.MissingProfile, "ACKPT020");
        Assert.True(d.IsError);
        Assert.Equal(Path.Combine(b.Project.Root, "missing.profile.yaml"), d.File);
    }

    [Fact]
    public void Given_a_malformed_profile_When_built_Then_it_fails_with_the_planners_ACKPT021_on_the_profile()
    {
        Assert.NotEqual(0, b.MalformedProfile.ExitCode);
        var d = Single(b.MalformedProfile, "ACKPT021");
        Assert.True(d.IsError);
        Assert.Equal(Path.Combine(b.Project.Root, "malformed.profile.yaml"), d.File);
        Assert.Contains("forward_seconds", d.Message);
    }

    [Fact]
    public void Given_a_cap_no_plan_fits_When_built_Then_it_fails_with_ACKPT040_giving_the_smallest_feasible_peak()
    {
        Assert.NotEqual(0, b.InfeasibleCap.ExitCode);
        var d = Single(b.InfeasibleCap, "ACKPT040");
        Assert.True(d.IsError);
        Assert.Equal(b.Project.ProfilePath, d.File);
        Assert.Matches(@"\d", d.Message);
    }

    [Fact]
    public void Given_bad_planner_properties_When_built_Then_each_fails_with_ACKPT060_on_the_project_file()
    {
        Assert.NotEqual(0, b.BadProperties.ExitCode);
        var errors = b.BadProperties.Diagnostics.Where(d => d.Code == "ACKPT060").ToList();
        Assert.Equal(2, errors.Count);
        Assert.All(errors, e => Assert.Equal(b.Project.ProjectPath, e.File));
        Assert.Contains(errors, e => e.Message.Contains("AutoCkptMemoryCap '6GiBs'"));
        Assert.Contains(errors, e => e.Message.Contains("AutoCkptSolver 'gurobi'"));
    }

    [Fact]
    public void Given_a_plan_from_an_earlier_build_When_a_bad_planner_property_fails_the_build_Then_the_stale_plan_is_deleted()
    {
        Assert.NotEqual(0, b.BadProperties.ExitCode);
        Assert.False(b.BadPropertiesLeftPlan, "the old plan was left beside the app");
        Assert.Contains("deleted the stale plan", b.BadProperties.Output);
    }

    [Fact]
    public void Given_a_plan_from_an_earlier_build_When_a_bad_AutoCkptEnabled_fails_the_build_Then_the_stale_plan_is_deleted()
    {
        Assert.NotEqual(0, b.BadEnabled.ExitCode);
        Assert.False(b.BadEnabledLeftPlan, "the old plan was left beside the app");
    }

    [Fact]
    public void Given_AutoCkptEnabled_that_is_not_a_boolean_When_built_Then_it_fails_with_ACKPT060_on_the_project_file()
    {
        var d = Single(b.BadEnabled, "ACKPT060");
        Assert.Equal((true, b.Project.ProjectPath), (d.IsError, d.File));
        Assert.Contains("AutoCkptEnabled 'maybe'", d.Message);
    }

    [Fact]
    public void Given_a_cpu_profile_built_for_cuda_When_built_Then_ACKPT007_warns_on_the_profile_and_the_build_succeeds()
    {
        Assert.True(b.Warnings.ExitCode == 0, b.Warnings.ToString());
        var d = Single(b.Warnings, "ACKPT007");
        Assert.Equal((false, b.Project.ProfilePath), (d.IsError, d.File));
        Assert.True(File.Exists(b.Project.PlanPath));
    }

    [Fact]
    public void Given_a_declared_fingerprint_the_profile_lacks_When_built_Then_ACKPT061_warns_on_the_profile()
    {
        var d = Single(b.Warnings, "ACKPT061");
        Assert.Equal((false, b.Project.ProfilePath), (d.IsError, d.File));
        Assert.Contains("sha256:beef", d.Message);
    }
}
