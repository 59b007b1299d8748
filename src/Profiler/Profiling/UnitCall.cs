using AutoCkpt.Tidy;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoCkpt.Profiler.Profiling;

/// <summary>
/// How a pass runs one unit from its first tensor input: a stage's <c>call(x)</c>, or a unit found in place called
/// with the other inputs it had in the real forward (rotary tables, a mask), as captured there.
/// </summary>
/// <param name="Module">The unit's module (its parameters; what it holds in fields stays when it runs tidy).</param>
/// <param name="Run">Calls the unit, through <c>call()</c>, on its first tensor input.</param>
/// <param name="Tidy">Runs it tidy, as a tidy kept unit runs; null: with the module's own tidy run (a stage).</param>
internal sealed record UnitCall(nn.Module Module, Func<Tensor, Tensor> Run, Func<Tensor, Tensor>? Tidy = null)
{
    /// <summary>A stage: <c>call(x)</c>, tidy as <c>Checkpointing.RunTidy</c>.</summary>
    public static UnitCall Of(nn.Module<Tensor, Tensor> stage) =>
        new(stage, stage.call, x => AutoCkpt.Checkpointing.RunTidy(stage, x));

    /// <summary>
    /// Runs the unit inside a dispose scope of its own that keeps only its output and what its modules hold in fields
    /// and buffers (the runtime's tidy run, src/Runtime/Tidy).
    /// </summary>
    public Tensor RunTidy(Tensor input)
    {
        if (Tidy is not null) return Tidy(input);
        using var scope = NewDisposeScope();
        var output = Run(input);
        scope.MoveToOuter(output);
        if (scope.DisposablesCount > 0)
        {
            var held = new List<Tensor>();
            HeldTensors.Collect(Module, held);
            if (held.Count > 0) scope.MoveToOuter(held);
        }
        return output;
    }
}
