using AutoCkpt.Apply;
using AutoCkpt.Runtime.Tests.Support;
using TorchSharp;
using Xunit;

namespace AutoCkpt.Runtime.Tests.Apply;

/// <summary>The launch settings a plan needs from the app's process (docs/runtime.md, "Launch settings").</summary>
[Collection(AutoCkpt.Runtime.Tests.Memory.MemoryCollection.Name)] // it changes the process environment, which the CUDA probe test reads
public sealed class LaunchSettingsTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("expandable_segments:True")]
    public void Given_a_cuda_plan_with_a_cap_When_the_process_runs_the_caching_allocator_Then_ACKPT012_says_how_to_launch(string? conf)
    {
        var plan = Plans.For(TestModels.ActivationHeavyStack(2, 8), "r0 k1", "cuda");
        string? warning = LaunchSettings.Warning(DeviceType.CUDA, conf, plan, "app/autockpt.plan.yaml");
        Assert.NotNull(warning);
        Assert.StartsWith("app/autockpt.plan.yaml: warning ACKPT012:", warning);
        Assert.Contains("Checkpointing.UseProfiledAllocator()", warning);
        Assert.Contains("PYTORCH_CUDA_ALLOC_CONF=backend:cudaMallocAsync", warning);
    }

    [Fact]
    public void Given_the_profiled_allocator_or_a_cpu_model_or_no_cap_When_applied_Then_no_allocator_warning()
    {
        var plan = Plans.For(TestModels.ActivationHeavyStack(2, 8), "r0 k1", "cuda");
        Assert.Null(LaunchSettings.Warning(DeviceType.CUDA, "backend:cudaMallocAsync", plan, null));
        Assert.Null(LaunchSettings.Warning(DeviceType.CPU, null, plan, null));
        Assert.Null(LaunchSettings.Warning(DeviceType.CUDA, null, plan with { MemoryCapBytes = 0 }, null));
    }

    [Fact]
    public void Given_an_app_that_set_its_own_allocator_When_UseProfiledAllocator_Then_it_is_kept_and_reported_as_not_the_profiled_one()
    {
        string? before = Environment.GetEnvironmentVariable("PYTORCH_CUDA_ALLOC_CONF");
        try
        {
            Environment.SetEnvironmentVariable("PYTORCH_CUDA_ALLOC_CONF", "backend:native");
            Assert.False(Checkpointing.UseProfiledAllocator());
            Assert.Equal("backend:native", Environment.GetEnvironmentVariable("PYTORCH_CUDA_ALLOC_CONF"));
            Environment.SetEnvironmentVariable("PYTORCH_CUDA_ALLOC_CONF", null);
            Assert.True(Checkpointing.UseProfiledAllocator());
            Assert.Equal("backend:cudaMallocAsync", Environment.GetEnvironmentVariable("PYTORCH_CUDA_ALLOC_CONF"));
        }
        finally
        {
            Environment.SetEnvironmentVariable("PYTORCH_CUDA_ALLOC_CONF", before);
        }
    }
}
