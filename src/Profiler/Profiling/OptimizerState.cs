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

    /// <summary>
    /// The bytes of the tensors <paramref name="optimizer"/> holds as state (each once), read through
    /// <c>state_dict()</c>: every public tensor field or property of each parameter's state (Adam's <c>exp_avg</c> and
    /// <c>exp_avg_sq</c>, SGD's momentum buffer once made). Null for an optimizer implemented in native code, whose state
    /// cannot be read. TorchSharp's managed optimizers make most of their state when they are created, so this counts
    /// it wherever it was made.
    /// </summary>
    public static long? Read(optim.Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        if (optimizer is not TorchSharp.Modules.OptimizerHelper managed) return null;
        var tensors = new List<Tensor>();
        foreach (var state in managed.state_dict().State)
        {
            if (state is null) continue;
            var type = state.GetType();
            foreach (var field in type.GetFields(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance))
                if (typeof(Tensor).IsAssignableFrom(field.FieldType) && field.GetValue(state) is Tensor t && !t.IsInvalid)
                    tensors.Add(t);
            foreach (var property in type.GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance))
                if (typeof(Tensor).IsAssignableFrom(property.PropertyType) && property.GetIndexParameters().Length == 0 && property.GetValue(state) is Tensor t && !t.IsInvalid)
                    tensors.Add(t);
        }
        return Torch.TensorBytes.Distinct(tensors);
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
