using AutoCkpt.Profiler.Measuring;

namespace AutoCkpt.Profiler.InPlace;

/// <summary>
/// The laps of one measured step (docs/profiler.md, "Units in place"), each taken by a hook or a backward mark:
/// forward: the model's pre-hook, each unit's pre- and post-hook, the model's post-hook; backward: the model output's
/// mark (the loss's backward has made its gradient), each unit's output mark and input mark, and the end of the step.
/// </summary>
internal sealed class StepLaps(int units)
{
    public Lap? Start { get; set; }
    public Lap?[] Pre { get; } = new Lap?[units];
    public Lap?[] Post { get; } = new Lap?[units];
    public Lap? ModelOutput { get; set; }
    public Lap? AfterModelOutputMark { get; set; }
    public Lap? LossGradient { get; set; }
    public Lap?[] OutputGradient { get; } = new Lap?[units];
    public Lap?[] InputGradient { get; } = new Lap?[units];
    public Lap? End { get; set; }
}
