using AutoCkpt.Formats;
using AutoCkpt.Formats.Errors;
using AutoCkpt.Testing;
using Xunit;

namespace AutoCkpt.Cli.Tests;

/// <summary>
/// A command that fails leaves nothing behind: no folder it would have made for its output, no temporary file, and an
/// existing output file as it was. One test per command that writes (plan, show --svg, profile --out, bench --json,
/// --markdown and --svg), and the writer they share.
/// </summary>
[Collection(ConsoleCollection.Name)]
public sealed class PartialEffectTests : IDisposable
{
    private readonly CliHarness _cli = new();

    public PartialEffectTests() => _cli.WriteProfile(profile: TestProfiles.Uniform(6));

    public void Dispose() => _cli.Dispose();

    private string[] Entries() => [.. Directory.GetFileSystemEntries(_cli.Folder, "*", SearchOption.AllDirectories).Select(p => Path.GetRelativePath(_cli.Folder, p)).Order()];

    private void AssertFailsAndLeavesNothing(string code, params string[] args)
    {
        var before = Entries();
        var (exit, _, err) = _cli.Run(args);
        Assert.Equal(1, exit);
        Assert.Contains($"error {code}: ", err);
        Assert.Equal(before, Entries());
    }

    [Fact]
    public void Given_a_cap_no_plan_fits_When_planned_into_new_folders_Then_ACKPT040_and_no_folder_is_left() =>
        AssertFailsAndLeavesNothing(ErrorCodes.InfeasibleCap, "plan", "--profile", "model.profile.yaml", "--memory-cap", "1", "--out", "new/sub/m.plan.yaml");

    [Fact]
    public void Given_an_existing_plan_When_a_plan_over_it_fails_Then_it_is_unchanged()
    {
        Assert.Equal(0, _cli.Run("plan", "--profile", "model.profile.yaml", "--memory-cap", "90%", "--out", "m.plan.yaml").Exit);
        string before = File.ReadAllText(_cli.PathOf("m.plan.yaml"));
        AssertFailsAndLeavesNothing(ErrorCodes.InfeasibleCap, "plan", "--profile", "model.profile.yaml", "--memory-cap", "1", "--out", "m.plan.yaml");
        Assert.Equal(before, File.ReadAllText(_cli.PathOf("m.plan.yaml")));
    }

    [Fact]
    public void Given_a_plan_whose_profile_is_gone_When_drawn_into_new_folders_Then_ACKPT020_and_no_folder_is_left()
    {
        Assert.Equal(0, _cli.Run("plan", "--profile", "model.profile.yaml", "--memory-cap", "90%", "--out", "m.plan.yaml").Exit);
        File.Delete(_cli.PathOf("model.profile.yaml"));
        AssertFailsAndLeavesNothing(ErrorCodes.ProfileMissing, "show", "m.plan.yaml", "--svg", "new/sub/m.svg");
    }

    [Fact]
    public void Given_a_project_that_does_not_exist_When_profiled_into_new_folders_Then_ACKPT030_and_no_folder_is_left() =>
        AssertFailsAndLeavesNothing(ErrorCodes.ProjectMissing, "profile", "--project", "missing.csproj", "--out", "new/sub/p.profile.yaml");

    [Fact]
    public void Given_a_plan_that_does_not_exist_When_benched_into_new_folders_Then_ACKPT001_and_no_folder_is_left() =>
        AssertFailsAndLeavesNothing(ErrorCodes.PlanMissing, "bench", "--project", "missing.csproj", "--plan", "missing.plan.yaml",
            "--json", "j/r.json", "--markdown", "m/d/r.md", "--svg", "s/r.svg");

    [Fact]
    public void Given_several_files_one_of_which_cannot_be_written_When_written_together_Then_none_is_and_nothing_is_left()
    {
        File.WriteAllText(_cli.PathOf("kept.txt"), "old");
        File.WriteAllText(_cli.PathOf("afile"), "x");
        var before = Entries();

        var e = Assert.Throws<AckptException>(() => AtomicFile.WriteAll([(_cli.PathOf("kept.txt"), "new"), (_cli.PathOf("a/b/c.txt"), "c"), (_cli.PathOf("afile/d.txt"), "d")]));

        Assert.Equal(ErrorCodes.OutputNotWritable, e.Code);
        Assert.Equal(before, Entries());
        Assert.Equal("old", File.ReadAllText(_cli.PathOf("kept.txt")));
    }

    [Fact]
    public void Given_several_files_in_new_folders_When_written_together_Then_all_are_written()
    {
        AtomicFile.WriteAll([(_cli.PathOf("a/b/c.txt"), "c"), (_cli.PathOf("d.txt"), "d")]);

        Assert.Equal("c", File.ReadAllText(_cli.PathOf("a/b/c.txt")));
        Assert.Equal("d", File.ReadAllText(_cli.PathOf("d.txt")));
        Assert.Equal(["a", "a/b", "a/b/c.txt", "d.txt", "model.profile.yaml"], Entries());
    }
}
