using AutoCkpt.Examples.Llama;
using AutoCkpt.Formats;
using AutoCkpt.Formats.Options;
using AutoCkpt.Formats.Plans;
using AutoCkpt.Formats.Profiles;
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

        // Between every unit recomputed and tidy alone. Which option the planner takes for a unit (whole recompute,
        // a sub-module, save-matmuls) depends on the measured times, so the test plans twice: on the profile as it is,
        // and on it without the selective options, where the plan recomputes whole units; both give the plain gradients.
        var selectiveOff = profile with { Stages = [.. profile.Stages.Select(s => s with { SubModules = [], SaveMatmuls = null })] };
        var plans = new[] { PlanAtMidpoint(profile), PlanAtMidpoint(selectiveOff) };
        Assert.Contains(plans[1].Segments, s => s.Strategy == SegmentStrategy.Recompute);

        var plain = Gradients(new LlamaLoraTiny(), plan: null); // a fresh target per run: both see its first batch
        foreach (var plan in plans)
        {
            Assert.Contains(plan.Segments, s => s.Strategy != SegmentStrategy.Keep);
            Assert.All(plan.Segments.Where(s => s.Strategy != SegmentStrategy.Keep),
                s => Assert.All(Enumerable.Range(s.First, s.Length), i => Assert.True(profile.Stages[i].RecomputeAllowed)));
            var planned = Gradients(new LlamaLoraTiny(), plan);
            Assert.Equal(plain.Count, planned.Count);
            for (int i = 0; i < plain.Count; i++)
                Assert.True(plain[i].SequenceEqual(planned[i]), $"parameter {i}'s gradient differs under {string.Join(", ", plan.Segments)}");
        }
    }

    private static Plan PlanAtMidpoint(Profile profile)
    {
        var model = new StepCostModel(profile);
        long every = model.PeakBytes(model.Runnable(Baselines.EveryStage(model.Stages)));
        long tidy = TidyCosts.Model(profile, NoTidyPatterns.Empty).PeakBytes(Baselines.None(model.Stages));
        return CheckpointPlanner.Plan(new PlanRequest { Profile = profile, Cap = new MemoryCap((every + tidy) / 2, null) }).Plan;
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
