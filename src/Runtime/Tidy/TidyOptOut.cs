using System.Reflection;
using AutoCkpt.Formats.Options;
using TorchSharp;

namespace AutoCkpt.Tidy;

/// <summary>Which units may run tidy: not those opted out in code (<see cref="NoTidyAttribute"/>, <see cref="CheckpointOptions.NoTidy"/>).</summary>
internal static class TidyOptOut
{
    /// <summary>Per stage: true unless the model's class, the stage's module or a module under it has [NoTidy], or a pattern matches its path.</summary>
    public static bool[] Allowed(torch.nn.Module model, IReadOnlyList<Stage> stages, NoTidyPatterns patterns)
    {
        bool wholeModel = Marked(model);
        return [.. stages.Select(s => !wholeModel && !patterns.Matches(s.Name) && !s.Module.modules().Prepend(s.Module).Any(Marked))];
    }

    private static bool Marked(torch.nn.Module module) => module.GetType().GetCustomAttribute<NoTidyAttribute>(inherit: true) is not null;
}
