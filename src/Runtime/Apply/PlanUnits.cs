using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Plans;
using AutoCkpt.Strategies;
using AutoCkpt.Units;
using static TorchSharp.torch;

namespace AutoCkpt.Apply;

/// <summary>Which of a model's modules a plan's units are, before anything is applied.</summary>
internal static class PlanUnits
{
    /// <summary>
    /// The units a plan addresses. The finder's units (<see cref="UnitFinder.Find"/>, with
    /// <see cref="CheckpointOptions.Units"/>) serve when the plan has no paths (format 1) or the same paths. A format-2
    /// plan whose paths differ names its units itself: when each path is a module of the model and the fingerprint over
    /// those modules is the plan's (a plan made with unit patterns, applied without them), those are the units.
    /// Otherwise the finder's units are checked against the plan (ACKPT006, ACKPT005, ACKPT014 name what differs).
    /// When the finder finds none: the plan's paths are looked up, ACKPT104 for a path that is not a module (ACKPT008
    /// when none is), ACKPT105 for a module that cannot be a unit.
    /// </summary>
    public static ModelUnits Resolve(nn.Module model, Plan plan, CheckpointOptions? options, string? planFile)
    {
        ModelUnits? found;
        try
        {
            found = UnitFinder.Find(model, options?.Units, planFile, options?.UnitsOrigin);
        }
        catch (AckptException e) when (e.Code == ErrorCodes.ModelNotStaged && plan.UnitPaths.Count > 0)
        {
            return ByPath(model, plan, planFile, e);
        }
        if (plan.UnitPaths.Count == 0 || found.Paths.SequenceEqual(plan.UnitPaths, StringComparer.Ordinal) || options?.Units.Count > 0)
            return found;
        try
        {
            var byPath = ByPath(model, plan, planFile, null);
            if (string.Equals(byPath.Fingerprint, plan.Model.Fingerprint, StringComparison.Ordinal))
                return byPath;
        }
        catch (AckptException)
        {
            // the plan's paths do not name this model's modules: the finder's units say how the plan differs
        }
        return found;
    }

    private static ModelUnits ByPath(nn.Module model, Plan plan, string? planFile, AckptException? noUnits)
    {
        var modules = new Dictionary<string, nn.Module>(StringComparer.Ordinal);
        foreach (var (path, module) in UnitFinder.NamedModules(model))
            modules.TryAdd(path, module);
        var missing = plan.UnitPaths.Where(p => !modules.ContainsKey(p)).ToList();
        if (missing.Count == plan.UnitPaths.Count && noUnits is not null)
            throw noUnits;
        if (missing.Count > 0)
            throw new AckptException(ErrorCodes.PlanUnitPathNotFound,
                $"the plan's unit '{missing[0]}'{(missing.Count > 1 ? $" (and {missing.Count - 1} more)" : "")} is not a module of this {model.GetType().Name}; " +
                $"its module paths include {string.Join(", ", modules.Keys.Take(12))}{(modules.Count > 12 ? ", …" : "")}. " +
                "Profile and plan this model again ('autockpt profile', then 'autockpt plan').", planFile);
        var units = plan.UnitPaths.Select(p => new Unit(p, modules[p])).ToList();
        if (units.FirstOrDefault(u => u.Arity is < 1 or > UnitFinder.MaxInputs) is { } bad)
            throw new AckptException(ErrorCodes.PlanUnitTypeChanged,
                $"the plan's unit '{bad.Path}' is now a {bad.Module.GetType().Name}, which has no forward of one to {UnitFinder.MaxInputs} inputs: " +
                "the model changed since the plan was made. Profile and plan it again.", planFile);
        return new ModelUnits(units, UnitSource.Patterns, $"the plan's {units.Count} units, by module path");
    }

    /// <summary>ACKPT103 when a unit the plan recomputes or may run tidy does not return a tensor; ACKPT109 when units overlap.</summary>
    public static void CheckOutputs(IReadOnlyList<Unit> units, Plan plan, string? planFile)
    {
        var seen = new HashSet<nn.Module>(ReferenceEqualityComparer.Instance);
        foreach (var u in units)
            if (!seen.Add(u.Module))
                throw new AckptException(ErrorCodes.UnitsOverlap, $"unit '{u.Path}' is a module that another unit of the plan is too: each unit must be its own module.", planFile);
        var paths = units.Select(u => u.Path).ToHashSet(StringComparer.Ordinal);
        foreach (var u in units)
            for (int dot = u.Path.LastIndexOf('.'); dot > 0; dot = u.Path.LastIndexOf('.', dot - 1))
                if (paths.Contains(u.Path[..dot]))
                    throw new AckptException(ErrorCodes.UnitsOverlap, $"unit '{u.Path}' is inside unit '{u.Path[..dot]}': units must not nest.", planFile);
        Plan.CheckUsedLater(plan.Segments, plan.UsedLaterUnits, plan.UnitPaths, planFile);
        foreach (var s in plan.Segments)
        {
            var behaviour = BehaviourRegistry.For(s.Strategy, planFile);
            for (int i = s.First; i <= s.Last; i++)
            {
                if (behaviour.Hooks(plan, i) && units[i].OutputType != typeof(Tensor))
                    throw new AckptException(ErrorCodes.UnitOutputUnsupported,
                        $"unit '{units[i].Path}' returns {units[i].OutputType?.Name ?? "nothing"}; a unit the plan " +
                        $"{behaviour.Verb} must return one Tensor. Keep it (plan it as kept, untidy), or name other units (CheckpointOptions.Units).", planFile);
                if (behaviour.Chains && i > s.First && units[i].InputTypes[0] != typeof(Tensor))
                    throw new AckptException(ErrorCodes.SegmentNotChained,
                        $"unit '{units[i].Path}' is recomputed in one segment with '{units[i - 1].Path}' but its first input is a {units[i].InputTypes[0].Name}, not the previous unit's output.", planFile);
            }
        }
    }
}
