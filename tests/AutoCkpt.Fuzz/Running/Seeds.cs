namespace AutoCkpt.Fuzz.Running;

/// <summary>What a seed file is.</summary>
public enum SeedKind
{
    /// <summary>A profile: the tool plans it and shows it.</summary>
    Profile,
    /// <summary>A plan: the tool shows it and the runtime's reader reads it.</summary>
    Plan,
}

/// <summary>A valid file to mutate; a plan's profile (which <c>show</c> reads beside it) comes with it.</summary>
public sealed record Seed(string Name, SeedKind Kind, string Text, string? ProfileName, string? ProfileText);

/// <summary>The valid seed files: real profiles of the examples and the plans the tool made from them.</summary>
public static class Seeds
{
    /// <summary>Every seed, from the assembly's resources.</summary>
    public static IReadOnlyList<Seed> All()
    {
        var asm = typeof(Seeds).Assembly;
        string Read(string name)
        {
            using var s = asm.GetManifestResourceStream("Seeds/" + name) ?? throw new InvalidOperationException($"no seed {name}");
            return new StreamReader(s).ReadToEnd();
        }
        var names = asm.GetManifestResourceNames().Where(n => n.StartsWith("Seeds/", StringComparison.Ordinal)).Select(n => n["Seeds/".Length..]).Order().ToList();
        return [.. names.Select(n => n.EndsWith(".plan.yaml", StringComparison.Ordinal)
            ? new Seed(n, SeedKind.Plan, Read(n), n.Replace(".plan.", ".profile."), Read(n.Replace(".plan.", ".profile.")))
            : new Seed(n, SeedKind.Profile, Read(n), null, null))];
    }
}
