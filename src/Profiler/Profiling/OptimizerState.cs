using AutoCkpt.Profiler.Measuring;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoCkpt.Profiler.Profiling;

/// <summary>
/// Creates a target's optimizer and measures its state the way profiles record it: live growth over creating the
/// optimizer and its first step (optimizers allocate state at either), after a warm-up of the optimizer's code on a
/// one-weight module so that first-use allocations are not counted. The profiler and the bench share it, so that
/// their fixed bytes agree.
/// </summary>
internal static class OptimizerState
{
    /// <summary>The optimizer (null when the target has none) and its state in bytes (≥ 0). Gradients must exist.</summary>
    public static (optim.Optimizer? Optimizer, long Bytes) Create(ICheckpointTarget target, nn.Module model, Device device, Meter meter)
    {
        Warm(target, device);
        optim.Optimizer? optimizer = null;
        long growth = meter.Measure(() =>
        {
            optimizer = target.CreateOptimizer(model);
            optimizer?.step();
        }).GrowthBytes;
        return (optimizer, optimizer is null ? 0 : Math.Max(0, growth));
    }

    private static void Warm(ICheckpointTarget target, Device device)
    {
        try
        {
            using var scope = NewDisposeScope();
            using var module = nn.Linear(1, 1, device: device);
            using var optimizer = target.CreateOptimizer(module);
            if (optimizer is null) return;
            module.call(ones(1, 1, device: device)).sum().backward();
            optimizer.step();
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A factory that expects the real model's structure: the measurement just includes first-use costs.
        }
    }
}
