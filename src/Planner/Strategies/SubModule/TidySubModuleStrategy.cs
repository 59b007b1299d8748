namespace AutoCkpt.Planner.Strategies.SubModule;

/// <summary>
/// <see cref="SubModuleStrategy"/> on a unit that runs tidy when kept: the profile measured its sub-module figures with
/// the unit tidy (where the profile allows tidy), so they stand only where the plan keeps the unit tidy too.
/// </summary>
public sealed class TidySubModuleStrategy : SubModuleStrategy
{
    /// <inheritdoc />
    public override string Name => "tidy_sub_module";

    /// <inheritdoc />
    public override bool Tidy => true;

    /// <inheritdoc />
    public override bool Allows(UnitCosts costs, int unit) =>
        costs.Stages[unit].SubModules.Count > 0 && costs.RecomputeAllowed[unit] && costs.TidyAllowed[unit] && costs.Stages[unit].TidyAllowed;
}
