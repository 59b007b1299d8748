using System.Security.Cryptography;
using System.Text;
using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Options;
using TorchSharp;

namespace AutoCkpt.Units;

/// <summary>
/// Finds a model's units as the model is written (docs/runtime.md, "Units"). In order of precedence:
/// <list type="number">
/// <item>patterns given by the user (<see cref="CheckpointOptions.Units"/>: <c>layers.*</c>, <c>blocks.*.attn</c>):
/// the outermost modules whose paths match, in module-tree order;</item>
/// <item>an <see cref="IStagedModel"/>: its stages;</item>
/// <item>a <c>Sequential</c>: its children;</item>
/// <item>a model whose only child is a <c>Sequential</c>: that Sequential's children ("layers.0");</item>
/// <item>otherwise the entries of the model's largest <c>ModuleList</c> of repeated blocks (entries all of one
/// type), among the lists that are not inside another such list's entries.</item>
/// </list>
/// Module paths are those of <c>named_modules()</c>; a module registered under two paths is found under the first
/// in module-tree (depth-first, registration) order.
/// </summary>
public static class UnitFinder
{
    /// <summary>The most forward inputs a unit may take (TorchSharp's typed modules stop at six).</summary>
    public const int MaxInputs = 6;

    /// <summary>
    /// The units of <paramref name="model"/>. <paramref name="patterns"/> (syntax: <see cref="NoTidyPatterns"/>; empty
    /// or null: find them from the model's structure) override the structure. <paramref name="file"/> (the plan being
    /// applied, the project being profiled) is named in errors; <paramref name="origin"/> names where the patterns came
    /// from (<c>--units</c>, <c>AutoCkptUnits</c>, <c>ICheckpointTarget.Units</c>, <c>CheckpointOptions.Units</c>) in
    /// the pattern errors. Errors: ACKPT100 a bad pattern, ACKPT101 a pattern that matches no module, ACKPT102 a unit
    /// that cannot be called (no typed forward of one to six inputs), ACKPT008 no units found.
    /// </summary>
    public static ModelUnits Find(torch.nn.Module model, IEnumerable<string>? patterns = null, string? file = null, string? origin = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var parsed = NoTidyPatterns.ParseUnits(patterns, file, origin);
        var found = parsed.IsEmpty ? FromStructure(model, file) : FromPatterns(model, parsed, file, origin);
        foreach (var unit in found.Units)
            CheckCallable(unit, file);
        return found;
    }

    /// <summary>
    /// Every module under <paramref name="model"/> with its path, depth-first in registration order (a parent before its
    /// children), each module once (under its first path); the root itself is not listed.
    /// </summary>
    public static IReadOnlyList<(string Path, torch.nn.Module Module)> NamedModules(torch.nn.Module model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var list = new List<(string, torch.nn.Module)>();
        var seen = new HashSet<torch.nn.Module>(ReferenceEqualityComparer.Instance) { model };
        Walk(model, "", seen, list);
        return list;
    }

    /// <summary>
    /// "sha256:&lt;hex&gt;" over each unit's path, module type and parameter names and shapes, in order: two models with
    /// the same structure and shapes share it whatever their weights. For a <c>Sequential</c> or an
    /// <see cref="IStagedModel"/> it is the fingerprint plans have always carried.
    /// </summary>
    public static string Fingerprint(IEnumerable<Unit> units)
    {
        ArgumentNullException.ThrowIfNull(units);
        var sb = new StringBuilder();
        foreach (var unit in units)
        {
            sb.Append(unit.Path).Append('|').Append(unit.Module.GetType().FullName).Append('\n');
            foreach (var (name, p) in unit.Module.named_parameters())
                sb.Append("  ").Append(name).Append(':').Append(string.Join('x', p.shape)).Append('\n');
        }
        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())));
    }

    private static void Walk(torch.nn.Module module, string prefix, HashSet<torch.nn.Module> seen, List<(string, torch.nn.Module)> into)
    {
        foreach (var (name, child) in module.named_children())
        {
            if (!seen.Add(child)) continue;
            string path = prefix.Length == 0 ? name : $"{prefix}.{name}";
            into.Add((path, child));
            Walk(child, path, seen, into);
        }
    }

    private static ModelUnits FromStructure(torch.nn.Module model, string? file)
    {
        switch (model)
        {
            case IStagedModel staged:
                return new ModelUnits([.. staged.Stages.Select(s => new Unit(s.Name, s.Module))], UnitSource.Staged,
                    $"the {staged.Stages.Count} stages of {model.GetType().Name} (IStagedModel)");
            case TorchSharp.Modules.Sequential seq:
                return new ModelUnits([.. seq.named_children().Select(c => new Unit(c.name, c.module))], UnitSource.Sequential,
                    $"the {seq.Count} children of the Sequential");
        }
        var children = model.named_children().ToList();
        if (children.Count == 1 && children[0].module is TorchSharp.Modules.Sequential only)
        {
            string prefix = children[0].name;
            return new ModelUnits([.. only.named_children().Select(c => new Unit($"{prefix}.{c.name}", c.module))], UnitSource.OnlySequentialChild,
                $"the {only.Count} children of Sequential '{prefix}', {model.GetType().Name}'s only child");
        }
        var lists = RepeatedBlockLists(model);
        if (lists.Count == 0)
            throw new AckptException(ErrorCodes.ModelNotStaged,
                $"found no units in model {model.GetType().FullName}: it is not a Sequential, does not implement AutoCkpt.IStagedModel, " +
                "has no Sequential as its only child, and holds no ModuleList of repeated blocks (two or more entries of one type). " +
                "Name its units by module path: CheckpointOptions.Units = [\"layers.*\"] (or the CLI's --units); " +
                "a native module such as nn.TransformerEncoder can only be one unit as a whole.", file);
        var best = lists.OrderByDescending(l => l.Entries.Count).First(); // stable: the first of the largest in module-tree order
        string others = lists.Count == 1 ? "" :
            "; other lists of repeated blocks: " + string.Join(", ", lists.Where(l => l != best).Select(l => $"'{l.Path}' ({l.Entries.Count})")) +
            " (name units by pattern to choose them: CheckpointOptions.Units)";
        return new ModelUnits([.. best.Entries], UnitSource.ModuleList,
            $"the {best.Entries.Count} entries of ModuleList '{best.Path}' ({best.Entries[0].Module.GetType().Name}){others}");
    }

    private sealed record BlockList(string Path, IReadOnlyList<Unit> Entries);

    /// <summary>ModuleLists of two or more entries of one type, not inside an entry of another such list, in module-tree order.</summary>
    private static List<BlockList> RepeatedBlockLists(torch.nn.Module model)
    {
        var result = new List<BlockList>();
        foreach (var (path, module) in NamedModules(model))
        {
            if (!IsModuleList(module.GetType())) continue;
            if (result.Any(l => l.Entries.Any(e => path.StartsWith(e.Path + ".", StringComparison.Ordinal)))) continue;
            var entries = module.named_children().Select(c => new Unit($"{path}.{c.name}", c.module)).ToList();
            if (entries.Count < 2 || entries.Select(e => e.Module.GetType()).Distinct().Count() != 1) continue;
            if (entries[0].Arity == 0) continue; // a list of lists, or of modules that cannot be called
            result.Add(new BlockList(path, entries));
        }
        return result;
    }

    private static bool IsModuleList(Type type)
    {
        for (var c = type; c is not null && c != typeof(object); c = c.BaseType)
            if (c.IsGenericType && c.GetGenericTypeDefinition() == typeof(TorchSharp.Modules.ModuleList<>))
                return true;
        return false;
    }

    private static ModelUnits FromPatterns(torch.nn.Module model, NoTidyPatterns patterns, string? file, string? origin)
    {
        var units = new List<Unit>();
        Outermost(model, "", patterns, new HashSet<torch.nn.Module>(ReferenceEqualityComparer.Instance) { model }, units);
        var unused = patterns.Unused(units.Select(u => u.Path));
        if (unused.Count > 0)
        {
            var paths = NamedModules(model).Select(m => m.Path).Take(12).ToList();
            throw new AckptException(ErrorCodes.UnitPatternUnmatched,
                $"{(origin is null ? "" : origin + ": ")}unit pattern{(unused.Count > 1 ? "s" : "")} {string.Join(", ", unused.Select(u => $"'{u}'"))} match{(unused.Count > 1 ? "" : "es")} no module of " +
                $"{model.GetType().Name} outside the units other patterns took; its module paths include {string.Join(", ", paths)}" +
                $"{(paths.Count == 12 ? ", …" : "")}.", file);
        }
        return new ModelUnits(units, UnitSource.Patterns, $"the {units.Count} modules matching '{patterns}'");
    }

    private static void Outermost(torch.nn.Module module, string prefix, NoTidyPatterns patterns, HashSet<torch.nn.Module> seen, List<Unit> into)
    {
        foreach (var (name, child) in module.named_children())
        {
            if (!seen.Add(child)) continue;
            string path = prefix.Length == 0 ? name : $"{prefix}.{name}";
            if (patterns.Matches(path)) into.Add(new Unit(path, child));
            else Outermost(child, path, patterns, seen, into);
        }
    }

    private static void CheckCallable(Unit unit, string? file)
    {
        if (unit.Arity is >= 1 and <= MaxInputs) return;
        throw new AckptException(ErrorCodes.UnitNotCallable,
            $"unit '{unit.Path}' is a {unit.Module.GetType().Name}, which has no forward of one to {MaxInputs} inputs that a unit can be hooked on " +
            "(a ModuleList or ModuleDict is a container: name its entries instead, e.g. 'layers.*').", file);
    }
}
