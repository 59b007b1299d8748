using AutoCkpt.Formats.Errors;
using AutoCkpt.Units;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoCkpt.Strategies.SubModule;

/// <summary>
/// The sub-modules of a unit that the sub-module option may recompute (docs/selective.md, "Recompute a sub-module"):
/// modules inside the unit, addressed by their path relative to it (<c>attn</c>, <c>attn.core</c>), whose typed forward
/// takes a tensor first and returns a tensor (the recompute hooks wrap that output). The profiler's candidates leave leaf
/// layers out: recomputing a <c>Linear</c> or a norm alone frees little or nothing, since its input stays saved; a plan
/// may still name one.
/// </summary>
internal static class SubModules
{
    /// <summary>The candidates of <paramref name="unit"/>: its children that qualify and, to <paramref name="depth"/> levels, theirs.</summary>
    public static IReadOnlyList<string> Candidates(nn.Module unit, int depth = 2)
    {
        var found = new List<string>();
        void Walk(nn.Module module, string prefix, int level)
        {
            foreach (var (name, child) in module.named_children())
            {
                string path = prefix.Length == 0 ? name : $"{prefix}.{name}";
                if (Qualifies(child) && child.named_children().Any()) found.Add(path);
                if (level < depth) Walk(child, path, level + 1);
            }
        }
        Walk(unit, "", 1);
        return found;
    }

    /// <summary>Whether <paramref name="module"/> can be recomputed alone: a typed forward from a tensor (first) to a tensor.</summary>
    public static bool Qualifies(nn.Module module)
    {
        var signature = UnitSignature.Of(module.GetType());
        return signature.Output == typeof(Tensor) && signature.Inputs.Count > 0 && signature.Inputs[0] == typeof(Tensor);
    }

    /// <summary>
    /// The sub-module <paramref name="path"/> of <paramref name="unit"/> as a unit of its own (its full path), or
    /// ACKPT054 when the unit has no such module or it cannot be recomputed alone (<see cref="Qualifies"/>).
    /// </summary>
    public static Unit Find(Unit unit, string path, string? planFile)
    {
        var module = unit.Module.named_modules().FirstOrDefault(m => m.name == path).module;
        if (path.Length == 0 || module is null)
            throw new AckptException(ErrorCodes.SubModuleNotFound,
                $"the plan recomputes '{path}' inside unit '{unit.Path}', but {unit.Module.GetType().Name} has no module of that name; " +
                $"it has {Describe(Candidates(unit.Module))}. Profile and plan again for this model.", planFile);
        if (!Qualifies(module))
            throw new AckptException(ErrorCodes.SubModuleNotFound,
                $"the plan recomputes '{path}' ({module.GetType().Name}) inside unit '{unit.Path}', but only a module with a typed forward " +
                $"from a tensor to a tensor can be recomputed alone; {unit.Module.GetType().Name} has {Describe(Candidates(unit.Module))}.", planFile);
        return new Unit($"{unit.Path}.{path}", module);
    }

    /// <summary>The children a plan names for one unit (<c>recompute_only: attn</c> or <c>attn,mlp</c>).</summary>
    public static IReadOnlyList<string> Split(string? recomputeOnly) =>
        string.IsNullOrWhiteSpace(recomputeOnly) ? [] : [.. recomputeOnly.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)];

    private static string Describe(IReadOnlyList<string> candidates) =>
        candidates.Count == 0 ? "none that qualifies" : "these that qualify: " + string.Join(", ", candidates);
}
