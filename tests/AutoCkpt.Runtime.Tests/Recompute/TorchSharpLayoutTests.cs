using AutoCkpt.Recompute;
using Xunit;

namespace AutoCkpt.Runtime.Tests.Recompute;

public sealed class TorchSharpLayoutTests
{
    /// <summary>
    /// The runtime frees two buffers that TorchSharp's custom-function node would otherwise keep (its full-size
    /// output cache, and saved inputs until the end of the step) through private fields. If a TorchSharp upgrade
    /// moves them, checkpointing stays correct but saves less: this test says so first.
    /// </summary>
    [Fact]
    public void Given_the_referenced_TorchSharp_When_the_runtime_loads_Then_its_autograd_memory_fixes_apply() =>
        Assert.True(AutogradInternals.Supported);
}
