using AutoCkpt.Planner.Strategies.Keep;

namespace AutoCkpt.Planner.Strategies.TidyKeep;

/// <summary>
/// Tidy keep (issue 17): a kept unit that frees every handle it made but its output as it returns. Its figures are the
/// tidy ones (<see cref="TidyCosts"/>, which the cost model already holds for the units that allow it), its arcs those of
/// <see cref="KeepStrategy"/>. It costs no time and frees memory, so it replaces keep wherever the unit allows it.
/// </summary>
public sealed class TidyKeepStrategy : KeepStrategy
{
    /// <inheritdoc />
    public override string Name => "tidy";

    /// <inheritdoc />
    public override bool Tidy => true;

    /// <inheritdoc />
    public override string? Replaces => "keep";

    /// <inheritdoc />
    public override bool Allows(UnitCosts costs, int unit) => costs.TidyAllowed[unit];
}
