using AutoCkpt.Apply;
using AutoCkpt.Formats.Plans;
using AutoCkpt.Recompute;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoCkpt;

/// <summary>
/// A model with a checkpointing plan applied. It holds the original model as its submodule <c>model</c>, so
/// <c>parameters()</c>, <c>train()</c>/<c>eval()</c> and <c>to(device)</c> act on the original (state-dict keys get
/// the prefix "model."; save <see cref="Model"/> for the original keys). Its forward runs the plan's segments over
/// the model's stages: keep segments run their stages normally; recompute segments keep only their input and
/// recompute in the backward; tidy kept units free every tensor handle they made but their output as soon as they
/// return. A plan with no recompute segment and no tidy unit runs the model's own forward. Disposing it disposes
/// the model. Made by <see cref="Checkpointing.Apply(nn.Module{Tensor, Tensor}, string?, Action{string}?, CheckpointOptions?)"/> or <see cref="Checkpointing.Tidy"/>.
/// </summary>
public sealed class CheckpointedModel : nn.Module<Tensor, Tensor>
{
    private readonly Func<Tensor, Tensor>[] _segmentRuns;
    private readonly bool _runStages;
    private readonly Action<string>? _onWarning;
    private bool _inputChecked;

    internal CheckpointedModel(nn.Module<Tensor, Tensor> model, IReadOnlyList<Stage> stages, Plan plan, string? planFile, bool[] tidyAllowed,
        Action<string>? onWarning = null)
        : base(nameof(CheckpointedModel))
    {
        _onWarning = onWarning;
        Model = model;
        Plan = plan;
        PlanFile = planFile;
        register_module("model", model);
        var seeds = new CudaSeeds(torch.initial_seed());
        var applied = new List<AppliedSegment>();
        var runs = new List<Func<Tensor, Tensor>>();
        var tidyStages = new List<string>();
        foreach (var s in plan.Segments)
        {
            var segmentStages = stages.Skip(s.First).Take(s.Length).ToArray();
            applied.Add(new AppliedSegment(s.First, s.Last, s.Strategy, segmentStages.Select(x => x.Name).ToArray()));
            if (s.Strategy == SegmentStrategy.Recompute)
            {
                runs.Add(new RecomputeSegment(segmentStages, seeds.Next, model).Run);
                continue;
            }
            bool[] tidy = [.. Enumerable.Range(s.First, s.Length).Select(i => plan.IsTidy(i) && tidyAllowed[i])];
            tidyStages.AddRange(segmentStages.Where((_, j) => tidy[j]).Select(x => x.Name));
            runs.Add(tidy.Any(t => t) ? x => StageChain.Run(segmentStages, x, tidy) : x => StageChain.Run(segmentStages, x));
        }
        Segments = applied;
        TidyStages = tidyStages;
        _segmentRuns = [.. runs];
        _runStages = applied.Any(a => a.Strategy == SegmentStrategy.Recompute) || tidyStages.Count > 0;
    }

    /// <summary>The original model.</summary>
    public nn.Module<Tensor, Tensor> Model { get; }

    /// <summary>The plan that was applied.</summary>
    public Plan Plan { get; }

    /// <summary>The plan file it came from, or null for an in-memory plan.</summary>
    public string? PlanFile { get; }

    /// <summary>The applied segments, in stage order, covering every stage once.</summary>
    public IReadOnlyList<AppliedSegment> Segments { get; }

    /// <summary>The number of stages that are recomputed in the backward.</summary>
    public int RecomputedStages => Segments.Where(s => s.Strategy == SegmentStrategy.Recompute).Sum(s => s.Length);

    /// <summary>
    /// The names of the stages that run tidy: kept units the plan marks tidy and that no code opt-out
    /// (<see cref="NoTidyAttribute"/>, <see cref="CheckpointOptions.NoTidy"/>) excludes.
    /// </summary>
    public IReadOnlyList<string> TidyStages { get; }

    /// <summary>Runs the model under the plan. Run the training step inside <c>torch.NewDisposeScope()</c>.</summary>
    public override Tensor forward(Tensor input)
    {
        DeferredDisposal.Flush();
        if (!_inputChecked)
        {
            _inputChecked = true;
            if (_onWarning is not null && InputShapeWarning.Of(input.shape, Plan, PlanFile) is { } warning)
                _onWarning(warning);
        }
        if (!_runStages)
            return Model.call(input);
        var x = input;
        foreach (var run in _segmentRuns)
        {
            var y = run(x);
            if (!ReferenceEquals(x, input) && !ReferenceEquals(x, y))
                x.Dispose();
            x = y;
        }
        return x;
    }
}
