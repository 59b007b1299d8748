namespace AutoCkpt.MSBuild.Tests.EndToEnd;

/// <summary>Which device type the targets infer from a project's libtorch packages (evaluation only: no restore, no build).</summary>
public sealed class DeviceInferenceTests
{
    [Theory]
    [InlineData("<PackageReference Include=\"TorchSharp-cuda-linux\" Version=\"0.107.0\" />", "cuda")]
    [InlineData("<PackageReference Include=\"libtorch-cpu-linux-x64\" Version=\"2.10.0\" />", "cpu")]
    [InlineData("<PackageReference Include=\"TorchSharp\" Version=\"0.107.0\" />", "")]
    public void Given_a_libtorch_package_When_the_device_is_resolved_Then_it_is_inferred(string reference, string expected)
    {
        using var project = new SampleProject($"</PropertyGroup><ItemGroup>{reference}</ItemGroup><PropertyGroup>");

        var r = project.Dotnet("msbuild", "-t:_AutoCkptResolveDevice", "-getProperty:_AutoCkptTargetDevice");

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal(expected, r.Output.Trim());
    }
}
