using System.Reflection;
using AutoCkpt.Formats;
using TorchSharp;

namespace AutoCkpt.Tidy;

/// <summary>Which units may run tidy: not those opted out in code (<see cref="NoTidyAttribute"/>, <see cref="CheckpointOptions.NoTidy"/>).</summary>
internal static class TidyOptOut
{
    /// <summary>Per unit: true unless the model's class, the unit's module or a module under it has [NoTidy], or a pattern matches its path.</summary>
    public static bool[] Allowed(torch.nn.Module model, IReadOnlyList<Units.Unit> units, NoTidyPatterns patterns)
    {
        bool wholeModel = Marked(model);
        return [.. units.Select(u => !wholeModel && !patterns.Matches(u.Path) && !u.Module.modules().Prepend(u.Module).Any(Marked))];
    }

    private static bool Marked(torch.nn.Module module) => module.GetType().GetCustomAttribute<NoTidyAttribute>(inherit: true) is not null;
}
