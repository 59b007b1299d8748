using System.Reflection;
using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Plans;
using AutoCkpt.Formats.Profiles;
using TorchSharp;
using Xunit;

namespace AutoCkpt.Cli.Tests.EndToEnd;

/// <summary>
/// <c>--units</c> end to end: tiny-mlp is a Sequential whose units by default are its blocks b0, b1, b2; named by
/// pattern they are the Linear layers inside them. The profile and the plan name those, and the runtime finds the
/// same units with the patterns and without them (by the plan's paths).
/// </summary>
[Collection(CliCollection.Name)]
public sealed class UnitPatternsCommandTests(CliFixture cli)
{
    private static readonly string[] Linears = ["b0.0", "b1.0", "b2.0"];

    [Fact]
    public void Given_unit_patterns_When_profiled_and_planned_Then_both_name_the_matched_modules_and_the_runtime_finds_them_with_or_without_the_patterns()
    {
        string profilePath = cli.ScratchFile("units.profile.yaml"), planPath = cli.ScratchFile("units.plan.yaml");

        // Repeatable, and each one a ',' separated list.
        var r = cli.Cli("profile", "--project", cli.TinyDll, "--target", "tiny-mlp", "--repeats", "1", "--batch-size", "8",
            "--units", "b0.0,b1.0", "--units", "b2.0", "--out", profilePath);

        Assert.True(r.ExitCode == 0, r.ToString());
        var profile = ProfileFile.Read(profilePath);
        Assert.Equal(["(before b0.0)", "b0.0", "(after b0.0)", "b1.0", "(after b1.0)", "b2.0", "(after b2.0)"], profile.Stages.Select(s => s.Name));
        Assert.Contains("--units b0.0,b1.0,b2.0", File.ReadAllText(profilePath));

        var p = cli.Cli("plan", "--profile", profilePath, "--memory-cap", "1GiB", "--out", planPath);
        Assert.True(p.ExitCode == 0, p.ToString());
        var plan = PlanFile.Read(planPath);
        Assert.Equal(Linears, plan.UnitPaths.Where(u => !KeepOnlyEntries.Is(u)));

        var target = (ICheckpointTarget)Activator.CreateInstance(Assembly.LoadFrom(cli.TinyDll).GetType("TinyTargets.TinyMlp")!)!;
        using var model = target.CreateModel(torch.CPU);
        Assert.Equal(["b0", "b1", "b2"], Checkpointing.Units(model).Paths); // what the model's structure gives
        Checkpointing.Apply(model, planPath, onWarning: _ => { });
        Assert.Equal(Linears, Checkpointing.Applied(model)!.Units.Paths); // the plan's paths are enough
        Checkpointing.Remove(model);
        Checkpointing.Apply(model, planPath, onWarning: _ => { }, options: new CheckpointOptions { Units = ["b0.0,b1.0", "b2.0"] });
        Assert.Equal(Linears, Checkpointing.Applied(model)!.Units.Paths);
    }

    [Fact]
    public void Given_a_unit_pattern_a_module_path_cannot_hold_When_profiled_Then_ACKPT100_names_the_option_before_anything_is_built()
    {
        var r = cli.Cli("profile", "--project", cli.TinyProject, "--target", "tiny-mlp", "--units", "b0 .0", "--out", cli.ScratchFile("bad-units.yaml"));

        Assert.Equal(1, r.ExitCode);
        Assert.Contains($"error {ErrorCodes.BadUnitPattern}: --units: unit pattern 'b0 .0'", r.Error);
        Assert.DoesNotContain("building", r.Out);
        Assert.False(File.Exists(cli.ScratchFile("bad-units.yaml")));
    }

    [Fact]
    public void Given_a_unit_pattern_that_matches_no_module_When_profiled_Then_ACKPT101_names_the_option_and_the_models_paths()
    {
        var r = cli.Cli("profile", "--project", cli.TinyDll, "--target", "tiny-mlp", "--repeats", "1", "--units", "layers.*", "--out", cli.ScratchFile("no-units.yaml"));

        Assert.Equal(1, r.ExitCode);
        Assert.Contains($"error {ErrorCodes.UnitPatternUnmatched}: --units: unit pattern 'layers.*' matches no module", r.Error);
        Assert.Contains("b0.0", r.Error);
        Assert.False(File.Exists(cli.ScratchFile("no-units.yaml")));
    }
}
