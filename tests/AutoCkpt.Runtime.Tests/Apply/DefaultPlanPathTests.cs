using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Plans;
using AutoCkpt.Runtime.Tests.Support;
using Xunit;
using static TorchSharp.torch;

namespace AutoCkpt.Runtime.Tests.Apply;

/// <summary>Without a path, the plan is read from autockpt.plan.yaml next to the app, where MSBuild puts it.</summary>
public sealed class DefaultPlanPathTests
{
    private static readonly string DefaultPath = Path.Combine(AppContext.BaseDirectory, PlanFile.DefaultFileName);

    [Fact]
    public void Given_a_plan_next_to_the_app_When_applied_without_a_path_Then_that_plan_is_applied()
    {
        var plain = TestModels.Mlp(float32);
        PlanFile.Write(DefaultPath, Plans.For(plain, "r0-3 k4-7"));
        try
        {
            var model = AutoCkpt.Checkpointing.Apply(plain);
            Assert.Equal(DefaultPath, model.PlanFile);
            Assert.Equal(4, model.RecomputedStages);
        }
        finally
        {
            File.Delete(DefaultPath);
        }
    }

    [Fact]
    public void Given_no_plan_next_to_the_app_When_applied_without_a_path_Then_ACKPT001_names_the_default_path()
    {
        Assert.False(File.Exists(DefaultPath));
        var e = Assert.Throws<AckptException>(() => AutoCkpt.Checkpointing.Apply(TestModels.Mlp(float32)));
        Assert.Equal(ErrorCodes.PlanMissing, e.Code);
        Assert.Equal(DefaultPath, e.File);
    }
}
