using AutoCkpt.Formats;
using AutoCkpt.Formats.Bench;
using AutoCkpt.Formats.Options;
using AutoCkpt.Formats.Plans;
using AutoCkpt.Formats.Profiles;
using AutoCkpt.Planner;
using AutoCkpt.Planner.CostModel;
using AutoCkpt.Profiler.Benchmarking;
using AutoCkpt.Profiler.InPlace;
using AutoCkpt.Profiler.Measuring;
using AutoCkpt.Profiler.Profiling;
using AutoCkpt.Profiler.Torch;
using Xunit;
using static TorchSharp.torch;

namespace AutoCkpt.Profiler.Tests.InPlace;

/// <summary>
/// Outputs used later (docs/profiler.md): the probe finds the units whose output the forward uses after the next unit,
/// the planner ends recompute segments there, and the plans it makes then train with the plain model's gradients.
/// </summary>
public sealed class LaterUseProbeTests
{
    private static bool[] Probe(SkipUse use)
    {
        manual_seed(1);
        var model = new SkipChain(use);
        var units = Checkpointing.Units(model, new CheckpointOptions { Units = ["blocks.*"] }).Units;
        using var probe = new LaterUseProbe(units, [false, true, true, true]);
        var x = randn(SkipChainTarget.B, SkipChain.D);
        return probe.Run(() => model.call(x).square().mean().backward());
    }

    [Fact]
    public void Given_a_plain_loop_When_probed_Then_no_output_is_used_later() =>
        Assert.Equal([false, false, false, false], Probe(SkipUse.None));

    [Fact]
    public void Given_outputs_kept_in_a_list_and_read_at_the_end_When_probed_Then_those_units_are_found() =>
        Assert.Equal([true, true, false, false], Probe(SkipUse.List));

    [Fact]
    public void Given_a_view_of_an_output_kept_When_probed_Then_that_unit_is_found() =>
        Assert.Equal([false, true, false, false], Probe(SkipUse.View));

    [Fact]
    public void Given_an_output_changed_in_place_between_units_When_probed_Then_no_unit_may_continue_a_segment() =>
        Assert.Equal([true, true, true, false], Probe(SkipUse.InPlace));

    [Fact]
    public void Given_a_probe_step_When_it_ends_Then_the_model_runs_plainly_again()
    {
        manual_seed(1);
        var model = new SkipChain(SkipUse.List);
        var units = Checkpointing.Units(model, new CheckpointOptions { Units = ["blocks.*"] }).Units;
        var x = randn(SkipChainTarget.B, SkipChain.D);
        var before = model.call(x);
        using (var probe = new LaterUseProbe(units, [false, true, true, true]))
            probe.Run(() => model.call(x).sum().backward());
        var after = model.call(x);
        Assert.True(after.requires_grad);
        Assert.Equal(0, (after - before).abs().max().item<float>());
    }

    [Fact]
    public void Given_skips_When_profiled_planned_and_run_Then_no_segment_continues_past_them_and_gradients_are_the_plain_models()
    {
        var profile = SkipChainTarget.Measure(SkipUse.List, 1);
        Assert.Equal(["(before blocks.0)", "blocks.0", "blocks.1", "blocks.2", "blocks.3", "(after blocks.3)"], profile.Stages.Select(s => s.Name));
        Assert.Equal([false, true, true, false, false, false], profile.Stages.Select(s => s.OutputUsedLater));
        Assert.Contains("output_used_later: true", ProfileFile.Format(profile));
        Assert.Equal([false, true, true, false, false, false], ProfileFile.Parse(ProfileFile.Format(profile), "p.yaml").Stages.Select(s => s.OutputUsedLater));

        var model = new StepCostModel(profile);
        var strategies = new List<BenchStrategy>
        {
            new("none", Baselines.None(6)),
            new("every_stage", model.Runnable(Baselines.EveryStage(6))),
            new("uniform_2", model.Runnable(Baselines.ByName("uniform_2", 6)!)),
            new("blocks 0-2", model.Runnable([new(0, 0, SegmentStrategy.Keep), new(1, 3, SegmentStrategy.Recompute), new(4, 5, SegmentStrategy.Keep)])),
        };
        // One segment over blocks 0-2 would continue past blocks 0 and 1: split after each.
        Assert.Equal(["0-0:keep", "1-1:recompute", "2-2:recompute", "3-3:recompute", "4-5:keep"],
            strategies[3].Segments.Select(s => $"{s.First}-{s.Last}:{s.Strategy.Name}"));
        foreach (var share in new[] { 0, 30, 60 })
        {
            var plan = CheckpointPlanner.Plan(new PlanRequest { Profile = profile, Cap = MemoryCap.Parse($"range:{share}%"), Headroom = MemoryCap.ParseHeadroom("0") }).Plan;
            Assert.All(plan.Segments.Where(s => s.Strategy.Recomputes),
                s => Assert.DoesNotContain(Enumerable.Range(s.First, s.Length - 1), i => profile.Stages[i].OutputUsedLater));
            strategies.Add(new BenchStrategy($"plan at range:{share}%", plan.Segments));
        }
        var benchPlan = new Plan
        {
            Target = profile.Target, Model = profile.Model, Device = profile.Device, BatchSize = SkipChainTarget.B, MemoryCapBytes = 1L << 40,
            Segments = strategies[1].Segments, UnitPaths = [.. profile.Stages.Select(s => s.Name)],
        };
        var runs = new StrategyBench(ProfilingDevice.Open("cpu")).Run(new SkipChainTarget(SkipUse.List), benchPlan, strategies,
            new BenchOptions(SkipChainTarget.B, Steps: 1, Warmups: 1, Trace: false)).Strategies;
        Assert.All(runs, r => Assert.True(r.MaxGradRelDiff == 0, $"{r.Name}: gradients differ from none's by {r.MaxGradRelDiff}"));
    }
}
