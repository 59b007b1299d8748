using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Plans;
using AutoCkpt.Runtime.Tests.Support;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace AutoCkpt.Runtime.Tests.Apply;

/// <summary>
/// Checkpointing.Apply reads plans within the files' bounds: hostile or broken plans (nesting that overflowed the
/// stack, recursive aliases that aborted, a device that was read for ever) are ACKPT002 naming the file, and the
/// model is left as it was.
/// </summary>
public sealed class HostilePlanTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("autockpt-hostile-").FullName;
    private readonly nn.Module<Tensor, Tensor> _model = TestModels.Mlp(float32);
    private readonly ModelSnapshot _before;

    public HostilePlanTests() => _before = new ModelSnapshot(_model);

    public void Dispose()
    {
        _before.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [Theory]
    [InlineData("deep")]
    [InlineData("recursive alias")]
    [InlineData("unclosed flow")]
    [InlineData("/dev/zero")]
    [InlineData("folder")]
    public void Given_a_hostile_plan_When_applied_Then_ACKPT002_and_the_model_is_unchanged(string what)
    {
        string text = PlanFile.Format(Plans.EveryStage(_model));
        string path = what switch
        {
            "/dev/zero" => "/dev/zero",
            "folder" => _dir,
            _ => Write(what switch
            {
                "deep" => "x: " + new string('[', 100_000) + new string(']', 100_000) + "\n" + text,
                "recursive alias" => text + "x: &r [ *r ]\n",
                _ => text.Replace("strategy: recompute }", "strategy: recompute"),
            }),
        };
        var e = Assert.Throws<AckptException>(() => AutoCkpt.Checkpointing.Apply(_model, path));
        Assert.Equal((ErrorCodes.PlanMalformed, path), (e.Code, e.File));
        _before.AssertUnchanged(_model);
    }

    private string Write(string text)
    {
        string path = Path.Combine(_dir, $"{Guid.NewGuid():N}.plan.yaml");
        File.WriteAllText(path, text);
        return path;
    }
}
