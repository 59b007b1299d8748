using System.Reflection;
using AutoCkpt.Formats;
using AutoCkpt.Units;
using TorchSharp;

namespace AutoCkpt.Profiler.InPlace;

/// <summary>Which units found in place may run tidy: as for stages, not those opted out in code or by pattern.</summary>
internal static class UnitTidy
{
    /// <summary>Per unit: false when the model's class, the unit's module or a module under it has [NoTidy], or a pattern matches its path.</summary>
    public static bool[] Allowed(torch.nn.Module model, IReadOnlyList<Unit> units, IReadOnlyList<string> noTidy)
    {
        var patterns = NoTidyPatterns.Parse(noTidy);
        bool wholeModel = Marked(model);
        return [.. units.Select(u => !wholeModel && !patterns.Matches(u.Path) && !u.Module.modules().Prepend(u.Module).Any(Marked))];
    }

    private static bool Marked(torch.nn.Module module) => module.GetType().GetCustomAttribute<NoTidyAttribute>(inherit: true) is not null;
}
