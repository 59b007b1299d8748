using AutoCkpt.Profiler.Measuring;
using static TorchSharp.torch;

namespace AutoCkpt.Profiler.Profiling;

/// <summary>
/// Measures a unit's <c>input_freed_bytes</c> on its own (units in place; the stage chain reads it in whole forwards,
/// <see cref="ModelProfiler"/>): the unit runs with autograd from a non-leaf copy of its input, its output kept (so its
/// graph and what it saved stay), then the input's handle is disposed. What that frees is the part of the input the unit
/// did not save. Live bytes, not peaks: on the CPU, malloc's own count (exact to the byte).
/// </summary>
internal static class InputFreed
{
    /// <summary>Bytes that disposing the handle of <paramref name="unit"/>'s input frees after its forward, from 0 to the input's bytes.</summary>
    public static long Bytes(Meter meter, UnitCall unit, Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = input.detach().requires_grad_(true).clone(); // a non-leaf, as the unit's input is in the step
        Tensor output;
        using (var inner = NewDisposeScope())
            output = inner.MoveToOuter(unit.Run(x));
        if (ReferenceEquals(output, x)) return 0;
        long bytes = x.NumberOfElements * x.ElementSize;
        long freed = meter.FreedBy(x.Dispose);
        GC.KeepAlive(output);
        return Math.Clamp(freed, 0, bytes);
    }
}
