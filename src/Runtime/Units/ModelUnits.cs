namespace AutoCkpt.Units;

/// <summary>A model's units, in the order the model's forward is expected to call them, and where they came from.</summary>
/// <param name="Units">The units, each a distinct module, none inside another.</param>
/// <param name="Source">How they were found.</param>
/// <param name="Description">One line saying which units were taken, e.g. "the 12 entries of ModuleList 'layers' (LlamaBlock)".</param>
public sealed record ModelUnits(IReadOnlyList<Unit> Units, UnitSource Source, string Description)
{
    /// <summary>The number of units.</summary>
    public int Count => Units.Count;

    /// <summary>The unit paths, in order.</summary>
    public IReadOnlyList<string> Paths => [.. Units.Select(u => u.Path)];

    /// <summary>The fingerprint of the units (<see cref="UnitFinder.Fingerprint"/>).</summary>
    public string Fingerprint => UnitFinder.Fingerprint(Units);
}
