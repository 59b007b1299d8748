using AutoCkpt.Formats.Profiles;
using AutoCkpt.Profiler.Measuring;
using static TorchSharp.torch;

namespace AutoCkpt.Profiler.Profiling;

/// <summary>
/// Units that do the same work share their time figures (docs/profiler.md, "Identical units share their times"): units
/// with the same signature (module type tree, parameter and buffer shapes and dtypes, the shapes and dtypes of their
/// inputs, and the role their input plays) get, for each time figure, the median of the group's measurements, so that
/// the planner never tells identical blocks apart by timing noise. Bytes are never pooled: they differ legitimately by
/// position (what the model's forward holds of a block's input, the last block's output).
/// </summary>
internal static class IdenticalUnits
{
    /// <summary>
    /// The unit's signature: its module tree (every sub-module's path and type), every parameter's and buffer's path,
    /// shape and dtype, each argument (a tensor's shape, dtype and whether it requires a gradient; another value's type
    /// and, for a primitive or a string, its value), and <paramref name="role"/> (what else the unit's timed pass
    /// includes: the batch as input, the loss).
    /// </summary>
    public static string Key(nn.Module module, IEnumerable<object?> arguments, string role)
    {
        var parts = new List<string> { role };
        parts.AddRange(module.named_modules().Select(m => $"m:{m.name}:{m.module.GetType().FullName}"));
        parts.AddRange(module.named_parameters().Select(p => $"p:{p.name}:{Shape(p.parameter)}"));
        parts.AddRange(module.named_buffers().Select(b => $"b:{b.name}:{Shape(b.buffer)}"));
        parts.AddRange(arguments.Select(a => a switch
        {
            null => "a:null",
            Tensor t => $"a:{Shape(t)}:{(t.requires_grad ? "grad" : "")}",
            string or ValueType => $"a:{a.GetType().FullName}:{a}",
            _ => $"a:{a.GetType().FullName}",
        }));
        return string.Join(';', parts);
    }

    private static string Shape(Tensor t) => $"{string.Join('x', t.shape)}:{t.dtype}";

    /// <summary>
    /// The entries with the time figures of each group of two or more entries of the same key replaced by the group's
    /// medians: forward and backward seconds, the save-matmuls recompute's and each sub-module's recompute seconds (by
    /// path). An entry whose key is null (work between units) keeps its own figures, as does a unit alone in its group.
    /// </summary>
    public static List<StageProfile> PoolTimes(IReadOnlyList<StageProfile> entries, IReadOnlyList<string?> keys)
    {
        if (keys.Count != entries.Count) throw new ArgumentException($"{keys.Count} keys for {entries.Count} entries.", nameof(keys));
        var result = entries.ToList();
        var groups = Enumerable.Range(0, entries.Count).Where(i => keys[i] is not null).GroupBy(i => keys[i]!).Where(g => g.Count() > 1);
        foreach (var group in groups)
        {
            var members = group.Select(i => entries[i]).ToList();
            double forward = Median.Of(members.Select(e => e.ForwardSeconds).ToList());
            double backward = Median.Of(members.Select(e => e.BackwardSeconds).ToList());
            var saveMatmuls = members.Where(e => e.SaveMatmuls is not null).Select(e => e.SaveMatmuls!.RecomputeSeconds).ToList();
            var subModules = members.SelectMany(e => e.SubModules).GroupBy(s => s.Path)
                .ToDictionary(g => g.Key, g => Math.Round(Median.Of(g.Select(s => s.RecomputeSeconds).ToList()), 7));
            foreach (int i in group)
                result[i] = entries[i] with
                {
                    ForwardSeconds = forward,
                    BackwardSeconds = backward,
                    SaveMatmuls = entries[i].SaveMatmuls is { } m ? m with { RecomputeSeconds = Math.Round(Median.Of(saveMatmuls), 7) } : null,
                    SubModules = [.. entries[i].SubModules.Select(s => s with { RecomputeSeconds = subModules[s.Path] })],
                };
        }
        return result;
    }
}
