using AutoCkpt.Formats.Profiles;
using AutoCkpt.Strategies.SaveMatmuls;
using static TorchSharp.torch;

namespace AutoCkpt.Profiler.Profiling;

/// <summary>
/// The save-matmuls figures of units (docs/selective.md), measured on the unit as it runs
/// (<see cref="SaveMatmulsStagePass"/>): for a unit with <c>Linear</c> layers, the bytes of their outputs and the
/// recompute's time with their matmuls skipped. Identical units (the same module type, parameter shapes and input
/// shape) are measured once.
/// </summary>
internal sealed class SaveMatmulsMeasure(StageMeasurer measurer, ProfileOptions options)
{
    private readonly Dictionary<string, SaveMatmulsFigures> _measured = [];

    /// <summary>Profiling seconds spent measuring the option.</summary>
    public double Seconds { get; private set; }

    /// <summary>The unit's figures, or null when it has no <c>Linear</c> layer.</summary>
    public SaveMatmulsFigures? Of(string name, UnitCall unit, Tensor input, bool inputRequiresGrad)
    {
        if (LinearOutputs.Of(unit.Module).Count == 0) return null;
        string key = string.Join(';', [unit.Module.GetType().FullName, string.Join('x', input.shape),
            .. unit.Module.parameters().Select(p => string.Join('x', p.shape))]);
        if (_measured.TryGetValue(key, out var known)) return known;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        long kept = 0;
        var m = measurer.Measure(name, () =>
        {
            var pass = new SaveMatmulsStagePass(unit, input, inputRequiresGrad);
            kept = pass.KeptBytes;
            return pass;
        }, options.Warmups, options.Repeats);
        Seconds += clock.Elapsed.TotalSeconds;
        return _measured[key] = new SaveMatmulsFigures(kept, m.ForwardSeconds);
    }
}
