using AutoCkpt.Profiler.Measuring;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoCkpt.Profiler.Profiling;

/// <summary>
/// Measures the profile's <c>saved_output_bytes</c>: how much of a unit's output its own autograd saves for its backward
/// (libtorch's LSTM saves its output; a Linear or a residual add does not). The unit runs with autograd from a copy of
/// its input, every handle it made but its output disposed (only what autograd saved stays, as in a recompute). A
/// backward start made from the output, <c>(output × 1).sum()</c>, keeps the unit's graph alive without saving the output;
/// then the output's handle is disposed. What that frees is the part nobody saved: the figure is the output's bytes less
/// it. Live bytes, not peaks: on the CPU, malloc's own count (exact to the byte). Where it saves some, it also measures
/// <c>saved_output_freed_early_bytes</c>: the backward's peak above live before it, once with the output's handle disposed
/// (only autograd holds the output) and once with it held; the held one reads higher by what the backward frees of the
/// saved output before its peak (all of it after a ReLU, none in an LSTM's one operation).
/// </summary>
internal static class SavedOutput
{
    /// <summary>
    /// Bytes of the output of <paramref name="unit"/> on <paramref name="input"/> that its autograd saves, from 0 to the
    /// output's bytes (0 when the output needs no gradient), and how much of it the unit's backward frees before its peak
    /// (from 0 to the saved bytes). The input is left untouched.
    /// </summary>
    public static (long Saved, long FreedEarly) Measure(Meter meter, UnitCall unit, Tensor input, bool inputRequiresGrad)
    {
        long saved, released;
        using (var scope = NewDisposeScope())
        {
            var (output, start) = Run(unit, input, inputRequiresGrad);
            if (start is null) return (0, 0);
            long bytes = output.NumberOfElements * output.ElementSize;
            long freed = meter.FreedBy(output.Dispose);
            saved = Math.Clamp(bytes - freed, 0, bytes);
            if (saved == 0) return (0, 0);
            released = meter.Measure(() => start.backward()).PeakAboveBeforeBytes;
        }
        long held;
        using (var scope = NewDisposeScope())
        {
            var (output, start) = Run(unit, input, inputRequiresGrad);
            GC.Collect();
            GC.WaitForPendingFinalizers();
            held = meter.Measure(() => start!.backward()).PeakAboveBeforeBytes;
            GC.KeepAlive(output);
        }
        return (saved, Math.Clamp(held - released, 0, saved));
    }

    /// <summary>The unit on a copy of the input, its handles but the output disposed, and a backward start that saves nothing of it (null when the output needs no gradient).</summary>
    private static (Tensor Output, Tensor? Start) Run(UnitCall unit, Tensor input, bool inputRequiresGrad)
    {
        // A non-leaf copy, as the chain feeds it: a unit that begins in place may change it.
        var x = inputRequiresGrad ? input.detach().requires_grad_(true).clone() : input.detach();
        Tensor output;
        using (var inner = NewDisposeScope())
            output = inner.MoveToOuter(unit.Run(x));
        if (!output.requires_grad || ReferenceEquals(output, x)) return (output, null);
        using var one = ones(Array.Empty<long>(), dtype: output.dtype, device: output.device);
        using var scaled = output * one; // the product saves only the scalar: the graph holds the output only where the unit saved it
        return (output, scaled.sum());
    }
}
