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
/// it. Live bytes, not peaks: on the CPU, malloc's own count (exact to the byte).
/// </summary>
internal static class SavedOutput
{
    /// <summary>
    /// Bytes of the output of <paramref name="unit"/> on <paramref name="input"/> that its autograd saves, from 0 to the
    /// output's bytes; 0 when the output needs no gradient. The input is left untouched.
    /// </summary>
    public static long Bytes(Meter meter, UnitCall unit, Tensor input, bool inputRequiresGrad)
    {
        using var scope = NewDisposeScope();
        // A non-leaf copy, as the chain feeds it: a unit that begins in place may change it.
        var x = inputRequiresGrad ? input.detach().requires_grad_(true).clone() : input.detach();
        Tensor output;
        using (var inner = NewDisposeScope())
            output = inner.MoveToOuter(unit.Run(x));
        if (!output.requires_grad || ReferenceEquals(output, x)) return 0;
        long bytes = output.NumberOfElements * output.ElementSize;
        Tensor start;
        using (var one = ones(Array.Empty<long>(), dtype: output.dtype, device: output.device))
        using (var scaled = output * one) // the product saves only the scalar: the graph holds the output only where the unit saved it
            start = scaled.sum();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long before = meter.LiveBytes();
        output.Dispose();
        long freed = before - meter.LiveBytes();
        GC.KeepAlive(start);
        return Math.Clamp(bytes - freed, 0, bytes);
    }
}
