using AutoCkpt.MSBuild.Tests.Support;

namespace AutoCkpt.MSBuild.Tests.Checks;

public sealed class ProfileChecksTests : IDisposable
{
    private readonly TaskFixture _f = new();

    public void Dispose() => _f.Dispose();

    private GeneratePlan Task(string device = "", string fingerprint = "", string target = "")
    {
        var task = _f.Task(FakeTool.Writing("format: autockpt-plan/1\n"));
        task.TargetDevice = device;
        task.TargetDeviceSource = "the project uses TorchSharp-cuda-linux";
        task.ExpectedModelFingerprint = fingerprint;
        task.ExpectedCheckpointTarget = target;
        return task;
    }

    [Fact]
    public void Given_a_cpu_profile_and_a_cuda_build_When_executed_Then_ACKPT007_warns_on_the_profile_and_the_plan_is_still_made()
    {
        Assert.True(Task(device: "cuda").Execute());

        var w = Assert.Single(_f.Engine.Warnings);
        Assert.Equal(("ACKPT007", _f.ProfilePath), (w.Code, w.File));
        Assert.Contains("measured on 'cpu' but this build targets 'cuda' (the project uses TorchSharp-cuda-linux)", w.Message);
        Assert.True(File.Exists(_f.PlanPath));
    }

    [Theory]
    [InlineData("cpu")]
    [InlineData("CPU")]
    [InlineData("")]
    public void Given_the_same_or_an_unknown_device_When_executed_Then_no_warning(string device)
    {
        Assert.True(Task(device: device).Execute());

        Assert.Empty(_f.Engine.Warnings);
    }

    [Fact]
    public void Given_a_declared_fingerprint_that_differs_When_executed_Then_ACKPT061_names_both()
    {
        Assert.True(Task(fingerprint: "sha256:beef").Execute());

        var w = Assert.Single(_f.Engine.Warnings);
        Assert.Equal(("ACKPT061", _f.ProfilePath), (w.Code, w.File));
        Assert.Contains("'sha256:7e1d0c0ffee'", w.Message);
        Assert.Contains("'sha256:beef'", w.Message);
    }

    [Fact]
    public void Given_the_declared_fingerprint_matches_When_executed_Then_no_warning()
    {
        Assert.True(Task(fingerprint: "sha256:7e1d0c0ffee").Execute());

        Assert.Empty(_f.Engine.Warnings);
    }

    [Fact]
    public void Given_a_declared_checkpoint_target_the_profile_is_not_for_When_executed_Then_ACKPT061_names_both()
    {
        Assert.True(Task(target: "gpt2-small").Execute());

        var w = Assert.Single(_f.Engine.Warnings);
        Assert.Equal(("ACKPT061", _f.ProfilePath), (w.Code, w.File));
        Assert.Contains("target 'tiny' but AutoCkptCheckpointTarget is 'gpt2-small'", w.Message);
    }

    [Fact]
    public void Given_the_declared_checkpoint_target_matches_When_executed_Then_no_warning()
    {
        Assert.True(Task(target: "tiny").Execute());

        Assert.Empty(_f.Engine.Warnings);
    }
}
