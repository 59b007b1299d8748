using AutoCkpt.Formats.Profiles;
using AutoCkpt.InPlace;
using AutoCkpt.Profiler.Measuring;
using AutoCkpt.Strategies.SubModule;
using static TorchSharp.torch;

namespace AutoCkpt.Profiler.Profiling;

/// <summary>
/// The sub-module option's figures of units (docs/selective.md, "Recompute a sub-module"), measured on the unit as it
/// runs: for each sub-module that can be recomputed alone (<see cref="SubModules.Candidates"/>: the unit's children and
/// theirs), the unit's bytes kept with that sub-module recomputed (the runtime's own hooks,
/// <see cref="SubModuleRecompute"/>, on the unit's real input; tidy where the unit may run tidy), and the recompute's
/// time: the sub-module's share of the unit's forward with autograd, timed between its own pre- and post-hooks in the
/// unit's forward (median of the passes), times the unit's forward time. Identical units (the same module type,
/// parameter shapes and input shape) are measured once; a sub-module the forward never calls is left out.
/// </summary>
internal sealed class SubModuleMeasure(StageMeasurer measurer, Meter meter, ProfileOptions options)
{
    private readonly Dictionary<string, IReadOnlyList<(SubModuleFigures Figures, double Share)>> _measured = [];

    /// <summary>Profiling seconds spent measuring the option.</summary>
    public double Seconds { get; private set; }

    /// <summary>The unit's figures per sub-module, given its forward time; empty when it has none to recompute.</summary>
    public IReadOnlyList<SubModuleFigures> Of(string name, UnitCall unit, Tensor input, PassInput role, bool tidy, Func<Tensor, Tensor>? loss, double forwardSeconds)
    {
        var candidates = SubModules.Candidates(unit.Module);
        if (candidates.Count == 0) return [];
        string key = string.Join(';', [unit.Module.GetType().FullName, string.Join('x', input.shape), role.ToString(), tidy ? "tidy" : "", loss is null ? "" : "loss",
            .. unit.Module.parameters().Select(p => string.Join('x', p.shape))]);
        if (!_measured.TryGetValue(key, out var known))
            _measured[key] = known = Measure(name, unit, input, role, tidy, loss, candidates);
        return [.. known.Select(k => k.Figures with { RecomputeSeconds = Math.Round(forwardSeconds * k.Share, 7) })];
    }

    private List<(SubModuleFigures, double)> Measure(string name, UnitCall unit, Tensor input, PassInput role, bool tidy, Func<Tensor, Tensor>? loss, IReadOnlyList<string> candidates)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var found = new List<(SubModuleFigures, double)>();
        foreach (var path in candidates)
        {
            double? share = Share(unit, input, role, path);
            if (share is not { } s) continue;
            var remove = SubModuleRecompute.Attach(unit.Module, [path]);
            StageProfile p;
            try
            {
                p = measurer.Measure(name, () => new TorchStagePass(unit, input, role, loss, tidy), options.Warmups, Math.Max(1, Math.Min(options.Repeats, 3)));
            }
            finally
            {
                remove();
            }
            found.Add((new SubModuleFigures(path, p.RetainedBytes, p.ForwardTransientBytes, Math.Max(0, p.BackwardTransientBytes - p.OutputBytes), p.BackwardFreedBytes, 0), s));
        }
        Seconds += clock.Elapsed.TotalSeconds;
        return found;
    }

    /// <summary>The sub-module's share of the unit's forward with autograd (median over the passes), or null when the forward never calls it.</summary>
    private double? Share(UnitCall unit, Tensor input, PassInput role, string path)
    {
        var child = unit.Module.named_modules().First(m => m.name == path).module;
        var span = new Span(meter);
        var remove = UnitHooks.Register(child, span);
        var shares = new List<double>();
        try
        {
            for (int r = 0; r < options.Warmups + Math.Max(3, options.Repeats); r++)
            {
                using var pass = new TorchStagePass(unit, input, role);
                span.Seconds = 0;
                span.Calls = 0;
                var start = meter.Lap();
                pass.Forward();
                double whole = meter.Between(start, meter.Lap()).Seconds;
                if (span.Calls == 0) return null;
                if (r >= options.Warmups && whole > 0) shares.Add(Math.Min(1, span.Seconds / whole));
            }
        }
        finally
        {
            remove();
        }
        return shares.Count == 0 ? null : Median.Of(shares);
    }

    /// <summary>Times a sub-module's forwards between its pre- and post-hook.</summary>
    private sealed class Span(Meter meter) : IUnitHook
    {
        private Lap? _start;
        public double Seconds { get; set; }
        public int Calls { get; set; }

        public object?[]? Before(object?[] inputs)
        {
            _start = meter.Lap();
            return null;
        }

        public object? After(object?[] inputs, object? output)
        {
            if (_start is { } start) Seconds += meter.Between(start, meter.Lap()).Seconds;
            _start = null;
            Calls++;
            return output;
        }
    }
}
