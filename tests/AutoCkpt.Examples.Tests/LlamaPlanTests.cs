using AutoCkpt.Examples.Llama;
using AutoCkpt.Formats;
using AutoCkpt.Formats.Options;
using AutoCkpt.Formats.Plans;
using AutoCkpt.Memory;
using AutoCkpt.Planner;
using AutoCkpt.Planner.CostModel;
using AutoCkpt.Profiler.Measuring;
using AutoCkpt.Profiler.Profiling;
using TorchSharp;
using Xunit;

namespace AutoCkpt.Examples.Tests;

public sealed class LlamaPlanTests
{
    /// <summary>The LoRA preset: a frozen base, adapters on q and v, blocks whose first input needs no gradient.</summary>
    [Fact]
    public void Given_the_lora_llama_profiled_in_place_When_a_plan_that_recomputes_is_applied_Then_its_adapters_gradients_equal_the_plain_models()
    {
        var target = new LlamaLoraTiny();
        var profile = new ModelProfiler(new Meter(new CpuMemoryProbe(), TimeProvider.System))
            .Run(target, torch.CPU, new DeviceInfo("cpu", "test"), new ProfileOptions(4, Repeats: 1));
        Assert.Equal(["(before layers.0)", .. Enumerable.Range(0, 6).Select(i => $"layers.{i}"), "(after layers.5)"], profile.Stages.Select(s => s.Name));

        // Between every unit recomputed and tidy alone: the plan recomputes some units and keeps the entries around them.
        var model = new StepCostModel(profile);
        long every = model.PeakBytes(model.Runnable(Baselines.EveryStage(model.Stages)));
        long tidy = TidyCosts.Model(profile, NoTidyPatterns.Empty).PeakBytes(Baselines.None(model.Stages));
        var plan = CheckpointPlanner.Plan(new PlanRequest { Profile = profile, Cap = new MemoryCap((every + tidy) / 2, null) }).Plan;
        Assert.Contains(plan.Segments, s => s.Strategy == SegmentStrategy.Recompute);
        Assert.All(plan.Segments.Where(s => s.Strategy == SegmentStrategy.Recompute),
            s => Assert.All(Enumerable.Range(s.First, s.Length), i => Assert.True(profile.Stages[i].RecomputeAllowed)));

        var plain = Gradients(new LlamaLoraTiny(), plan: null); // a fresh target per run: both see its first batch
        var planned = Gradients(new LlamaLoraTiny(), plan);
        Assert.Equal(plain.Count, planned.Count);
        for (int i = 0; i < plain.Count; i++)
            Assert.True(plain[i].SequenceEqual(planned[i]), $"parameter {i}'s gradient differs");
    }

    /// <summary>One step from the target's seed on its first batch; the gradient of every parameter that trains.</summary>
    private static List<float[]> Gradients(ICheckpointTarget target, Plan? plan)
    {
        using var scope = torch.NewDisposeScope();
        var model = target.CreateModel(torch.CPU);
        var (x, y) = target.CreateBatch(torch.CPU, 4);
        if (plan is not null) Checkpointing.Apply(model, plan);
        model.train();
        torch.manual_seed(7);
        target.Loss(model.call(x), y).backward();
        return [.. model.parameters().Where(p => p.requires_grad).Select(p => p.grad!.data<float>().ToArray())];
    }
}
