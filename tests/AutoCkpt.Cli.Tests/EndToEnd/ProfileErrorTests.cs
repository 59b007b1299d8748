using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Profiles;
using Xunit;

namespace AutoCkpt.Cli.Tests.EndToEnd;

/// <summary>Every error `autockpt profile` reports: a non-zero exit code and an ACKPT code with what to do.</summary>
[Collection(CliCollection.Name)]
public sealed class ProfileErrorTests(CliFixture cli)
{
    private CliResult Profile(params string[] args) => cli.Cli(["profile", "--repeats", "1", .. args]);

    private static void AssertError(CliResult r, string code, params string[] mentions)
    {
        Assert.True(r.ExitCode != 0, r.ToString());
        Assert.True(r.Error.Contains($"error {code}:"), r.ToString());
        foreach (var m in mentions) Assert.True(r.Error.Contains(m), $"'{m}' not in:\n{r}");
    }

    [Fact]
    public void Given_a_project_that_does_not_compile_When_profiled_Then_ACKPT023_shows_the_compiler_error()
    {
        string dir = Path.Combine(cli.Scratch, "broken");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "Broken.csproj"),
            "<Project Sdk=\"Microsoft.NET.Sdk\"><PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework></PropertyGroup></Project>");
        File.WriteAllText(Path.Combine(dir, "Program.cs"), "class P { static void Main() { int x = \"not a number\"; } }");

        AssertError(Profile("--project", Path.Combine(dir, "Broken.csproj")), ErrorCodes.ProjectBuildFailed, "error CS0029", "Program.cs");
    }

    [Fact]
    public void Given_a_path_with_nothing_there_When_profiled_Then_ACKPT030() =>
        AssertError(Profile("--project", cli.ScratchFile("missing/App.csproj")), ErrorCodes.ProjectMissing, "does not exist");

    [Fact]
    public void Given_an_assembly_without_targets_When_profiled_Then_ACKPT024_says_what_was_searched()
    {
        string runtime = Path.Combine(cli.RepoRoot, "src", "Runtime", "bin", cli.Configuration, "net10.0", "AutoCkpt.Runtime.dll");

        AssertError(Profile("--project", runtime), ErrorCodes.NoTarget, "AutoCkpt.Runtime.dll", "ICheckpointTarget", "parameterless constructor");
    }

    [Fact]
    public void Given_several_targets_and_no_target_option_When_profiled_Then_ACKPT025_lists_their_names() =>
        AssertError(Profile("--project", cli.TinyDll), ErrorCodes.AmbiguousTarget, "'tiny-mlp'", "'tiny-staged'", "'tiny-opaque'", "--target");

    [Fact]
    public void Given_an_unknown_target_name_When_profiled_Then_ACKPT026_names_it_and_the_ones_found() =>
        AssertError(Profile("--project", cli.TinyDll, "--target", "tiny-nothing"), ErrorCodes.UnknownTarget, "'tiny-nothing'", "'tiny-mlp'");

    [Fact]
    public void Given_a_model_without_stages_When_profiled_Then_ACKPT008_says_to_expose_them() =>
        AssertError(Profile("--project", cli.TinyDll, "--target", "tiny-opaque"), ErrorCodes.ModelNotStaged, "IStagedModel", "Sequential", $"{cli.TinyDll}: error ACKPT008:");

    [Fact]
    public void Given_cuda_on_a_cpu_only_app_When_profiled_Then_ACKPT027_says_why() =>
        AssertError(Profile("--project", cli.TinyDll, "--target", "tiny-mlp", "--device", "cuda"), ErrorCodes.CudaUnavailable, "no CUDA support");

    [Fact]
    public void Given_a_batch_too_large_for_memory_When_profiled_Then_ACKPT028_suggests_a_smaller_batch_size() =>
        AssertError(Profile("--project", cli.TinyDll, "--target", "tiny-mlp", "--batch-size", "2000000000", "--out", cli.ScratchFile("oom.yaml")),
            ErrorCodes.OutOfMemory, "batch size 2000000000", "smaller --batch-size");

    [Fact]
    public void Given_an_output_path_that_cannot_be_written_When_profiled_Then_ACKPT029_before_any_work()
    {
        string blocker = cli.ScratchFile("a-file");
        File.WriteAllText(blocker, "");

        var r = Profile("--project", cli.TinyDll, "--target", "tiny-mlp", "--out", Path.Combine(blocker, "profile.yaml"));

        AssertError(r, ErrorCodes.OutputNotWritable, "a-file");
        Assert.DoesNotContain("warm-up", r.Out);
    }

    [Fact]
    public void Given_a_non_positive_repeat_count_When_parsed_Then_ACKPT080() =>
        AssertError(cli.Cli("profile", "--project", cli.TinyDll, "--repeats", "0"), ErrorCodes.BadArgument, "--repeats");
}
