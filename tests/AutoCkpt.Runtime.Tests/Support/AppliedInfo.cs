using TorchSharp;

namespace AutoCkpt.Runtime.Tests.Support;

/// <summary>Reads what is applied to a model in tests.</summary>
internal static class AppliedInfo
{
    /// <summary>The plan applied to <paramref name="model"/>; fails the test when none is.</summary>
    public static AppliedPlan Info(this torch.nn.Module model) =>
        AutoCkpt.Checkpointing.Applied(model) ?? throw new Xunit.Sdk.XunitException("no plan is applied to the model");
}
