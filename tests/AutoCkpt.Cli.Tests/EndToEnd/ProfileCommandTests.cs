using System.Reflection;
using AutoCkpt.Formats;
using AutoCkpt.Formats.Profiles;
using TorchSharp;
using Xunit;

namespace AutoCkpt.Cli.Tests.EndToEnd;

/// <summary>`autockpt profile` end to end: build, host in the app's dependency context, profile file, table.</summary>
[Collection(CliCollection.Name)]
public sealed class ProfileCommandTests(CliFixture cli)
{
    [Fact]
    public void Given_the_project_file_When_a_target_is_profiled_Then_it_builds_writes_the_profile_and_prints_the_table()
    {
        string outFile = cli.ProfiledFromProject;
        var r = cli.FromProject;

        Assert.True(r.ExitCode == 0, r.ToString());
        var profile = ProfileFile.Read(outFile);
        Assert.Equal(("tiny-mlp", 3, 64), (profile.Target, profile.Model.Stages, profile.BatchSize));
        Assert.Equal(64, profile.InputShape[0]);
        Assert.Equal(2, profile.InputShape.Count);
        Assert.Contains("b2", r.Out);
        Assert.Contains("retained", r.Out);
        Assert.Contains($"wrote {outFile}", r.Out);
    }

    [Fact]
    public void Given_a_built_project_When_profiled_with_no_build_Then_it_uses_the_built_output_without_building()
    {
        string outFile = cli.ScratchFile("no-build.yaml");

        var r = cli.Cli("profile", "--project", cli.TinyProject, "--no-build", "--target", "tiny-mlp", "--repeats", "1",
            "--batch-size", "4", "-c", cli.Configuration, "--out", outFile);

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.DoesNotContain("building ", r.Out.Replace("not building ", ""));
        Assert.Contains("--no-build", r.Out);
        Assert.Equal("tiny-mlp", ProfileFile.Read(outFile).Target);
    }

    [Fact]
    public void Given_a_profile_When_the_same_model_is_built_in_process_Then_the_runtime_fingerprint_matches()
    {
        string outFile = cli.ScratchFile("staged.yaml");

        var r = cli.Cli("profile", "--project", cli.TinyDll, "--target", "tiny-staged", "--repeats", "1", "--batch-size", "4", "--out", outFile);

        Assert.True(r.ExitCode == 0, r.ToString());
        var target = (ICheckpointTarget)Activator.CreateInstance(Assembly.LoadFrom(cli.TinyDll).GetType("TinyTargets.TinyStaged")!)!;
        using var model = target.CreateModel(torch.CPU);
        var profile = ProfileFile.Read(outFile);
        Assert.Equal(ModelStages.Fingerprint(model), profile.Model.Fingerprint);
        Assert.Equal(["input", "hidden", "head"], profile.Stages.Select(s => s.Name));
        Assert.Equal(4, profile.BatchSize);
    }

    [Fact]
    public void Given_no_out_option_When_a_built_dll_is_profiled_Then_the_profile_is_named_after_the_target_in_the_current_folder()
    {
        var r = cli.Cli("profile", "--project", cli.TinyDll, "--target", "tiny-staged", "--repeats", "1", "--batch-size", "2");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.True(File.Exists(cli.ScratchFile("tiny-staged.profile.yaml")), r.ToString());
    }

    [Fact]
    public void Given_output_that_is_not_a_terminal_When_profiling_Then_progress_is_plain_lines_per_stage()
    {
        var r = cli.Cli("profile", "--project", cli.TinyDll, "--target", "tiny-staged", "--repeats", "1", "--out", cli.ScratchFile("lines.yaml"));

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("profile: warm-up", r.Out);
        Assert.Contains("profile: stage 1/3 input", r.Out);
        Assert.Contains("profile: stage 3/3 head", r.Out);
        Assert.DoesNotContain("\u001b[", r.Out);
    }

    [Fact]
    public void Given_help_When_asked_Then_every_option_is_listed_with_its_default()
    {
        var r = cli.Cli("profile", "--help");

        Assert.Equal(0, r.ExitCode);
        foreach (var option in new[] { "--project", "--target", "--device", "--batch-size", "--repeats", "--units", "--out", "--configuration", "--no-build" })
            Assert.Contains(option, r.Out);
        var lines = r.Out.Split('\n').Where(l => l.TrimStart().StartsWith('-') && !l.Contains("--help") && !l.Contains("--project")).ToList();
        Assert.Equal(8, lines.Count);
        Assert.All(lines, l => Assert.Contains("[default: ", l));
    }
}
