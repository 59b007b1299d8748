using AutoCkpt.Formats.Profiles;
using AutoCkpt.Strategies.SaveMatmuls;
using static TorchSharp.torch;

namespace AutoCkpt.Profiler.Profiling;

/// <summary>
/// The save-matmuls figures of units (docs/selective.md), measured on the unit as it runs: for a unit with
/// <c>Linear</c> layers, the bytes of their outputs, and its recompute with their matmuls skipped
/// (<see cref="SaveMatmulsStagePass"/>) timed against a full recompute (<see cref="RecomputeStagePass"/>), one of each
/// in turn, so that the machine's load drifts over both alike. The option's recompute time is the unit's own forward
/// time times the median of those ratios. Identical units (the same module type, parameter shapes and input shape) are
/// measured once.
/// </summary>
internal sealed class SaveMatmulsMeasure(StageMeasurer measurer, ProfileOptions options)
{
    private readonly Dictionary<string, (long Kept, double Ratio)> _measured = [];

    /// <summary>Profiling seconds spent measuring the option.</summary>
    public double Seconds { get; private set; }

    /// <summary>The unit's figures given its forward time, or null when it has no <c>Linear</c> layer.</summary>
    public SaveMatmulsFigures? Of(string name, UnitCall unit, Tensor input, bool inputRequiresGrad, double forwardSeconds)
    {
        if (LinearOutputs.Of(unit.Module).Count == 0) return null;
        string key = string.Join(';', [unit.Module.GetType().FullName, string.Join('x', input.shape),
            .. unit.Module.parameters().Select(p => string.Join('x', p.shape))]);
        if (!_measured.TryGetValue(key, out var known))
            _measured[key] = known = Measure(name, unit, input, inputRequiresGrad);
        return new SaveMatmulsFigures(known.Kept, forwardSeconds * known.Ratio);
    }

    private (long Kept, double Ratio) Measure(string name, UnitCall unit, Tensor input, bool inputRequiresGrad)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        long kept = 0;
        IStagePass Saving()
        {
            var pass = new SaveMatmulsStagePass(unit, input, inputRequiresGrad);
            kept = pass.KeptBytes;
            return pass;
        }
        IStagePass Full() => new RecomputeStagePass(unit, input, inputRequiresGrad);
        measurer.Measure(name, Saving, options.Warmups, 1);
        measurer.Measure(name, Full, options.Warmups, 1);
        var ratios = new List<double>();
        for (int r = 0; r < Math.Max(3, options.Repeats); r++)
        {
            double saving = measurer.Measure(name, Saving, 0, 1).ForwardSeconds;
            double full = measurer.Measure(name, Full, 0, 1).ForwardSeconds;
            if (full > 0) ratios.Add(saving / full);
        }
        Seconds += clock.Elapsed.TotalSeconds;
        ratios.Sort();
        return (kept, ratios.Count == 0 ? 1 : Math.Min(1, ratios[ratios.Count / 2]));
    }
}
