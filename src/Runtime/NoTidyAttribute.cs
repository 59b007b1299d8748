namespace AutoCkpt;

/// <summary>
/// Opts a module class out of tidy (docs/runtime.md, "Tidy"): a unit whose module, or any module under it, has this
/// attribute always runs as it is, keeping every tensor handle it made until the step's dispose scope ends. Put it
/// on the model class to opt the whole model out. The profiler records such units as not allowing tidy, so the
/// planner never counts on their tidy memory, and the opt-out survives regenerating the plan.
/// </summary>
[AttributeUsage(AttributeTargets.Class, Inherited = true, AllowMultiple = false)]
public sealed class NoTidyAttribute : Attribute;
