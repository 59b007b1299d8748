using System.Reflection;
using AutoCkpt.Formats.Errors;

namespace AutoCkpt.Profiler.Host;

/// <summary>Finds the user's <see cref="ICheckpointTarget"/> implementations by reflection and picks one.</summary>
public static class TargetLocator
{
    /// <summary>Public, non-abstract classes with a public parameterless constructor that implement ICheckpointTarget.</summary>
    public static IReadOnlyList<Type> FindTypes(Assembly assembly) =>
        ExportedTypes(assembly).Where(IsUsable).OrderBy(t => t.FullName, StringComparer.Ordinal).ToList();

    /// <summary>
    /// Creates the target named <paramref name="name"/> (its <see cref="ICheckpointTarget.Name"/> or its class name), or
    /// the only one when <paramref name="name"/> is null. Throws <see cref="AckptException"/>: ACKPT024 none found
    /// (says what was searched), ACKPT025 several and no name (lists them), ACKPT026 no target of that name.
    /// </summary>
    public static ICheckpointTarget Select(Assembly assembly, string? name)
    {
        string file = assembly.Location;
        var types = FindTypes(assembly);
        if (types.Count == 0)
            throw new AckptException(ErrorCodes.NoTarget, NoneFound(assembly), file);
        var targets = types.Select(t => (Type: t, Target: (ICheckpointTarget)Activator.CreateInstance(t)!)).ToList();
        string names = string.Join(", ", targets.Select(t => $"'{t.Target.Name}' ({t.Type.FullName})"));
        if (name is null)
        {
            if (targets.Count == 1) return targets[0].Target;
            throw new AckptException(ErrorCodes.AmbiguousTarget, $"found {targets.Count} checkpoint targets: {names}. Choose one with --target NAME.", file);
        }
        var match = targets.Where(t => t.Target.Name == name).ToList();
        if (match.Count == 0) match = targets.Where(t => t.Type.Name == name || t.Type.FullName == name).ToList();
        return match.Count switch
        {
            1 => match[0].Target,
            0 => throw new AckptException(ErrorCodes.UnknownTarget, $"no checkpoint target is named '{name}'; found {names}.", file),
            _ => throw new AckptException(ErrorCodes.AmbiguousTarget, $"{match.Count} checkpoint targets are named '{name}': {names}.", file),
        };
    }

    private static bool IsUsable(Type t) =>
        t is { IsClass: true, IsAbstract: false, IsGenericTypeDefinition: false } &&
        typeof(ICheckpointTarget).IsAssignableFrom(t) &&
        t.GetConstructor(Type.EmptyTypes) is not null;

    private static string NoneFound(Assembly assembly)
    {
        var exported = ExportedTypes(assembly).ToList();
        var near = assembly.DefinedTypes.Where(t => typeof(ICheckpointTarget).IsAssignableFrom(t) && !IsUsable(t) && t.IsClass).ToList();
        string hint = near.Count == 0
            ? ""
            : " These implement it but cannot be used: " + string.Join("; ", near.Select(t => $"{t.FullName} ({Why(t)})")) + ".";
        return $"no checkpoint target in {Path.GetFileName(assembly.Location)}: searched its {exported.Count} public types for a public, " +
               $"non-abstract class with a public parameterless constructor that implements AutoCkpt.ICheckpointTarget.{hint}";
    }

    private static string Why(Type t) =>
        !t.IsVisible ? "not public" : t.IsAbstract ? "abstract" : t.IsGenericTypeDefinition ? "generic" : "no public parameterless constructor";

    private static IEnumerable<Type> ExportedTypes(Assembly assembly)
    {
        try
        {
            return assembly.GetExportedTypes();
        }
        catch (ReflectionTypeLoadException e)
        {
            return e.Types.OfType<Type>().Where(t => t.IsVisible);
        }
    }
}
