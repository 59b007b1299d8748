using AutoCkpt.Examples.Llama.Model;
using AutoCkpt.Profiler;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoCkpt.Examples.Llama;

/// <summary>
/// A training app as one writes it, with no <c>ICheckpointTarget</c>: a model, an optimizer, a step, a loop. The lines
/// that use AutoCkpt are the three marked below; the project file names the profile and the cap, and
/// <c>dotnet build</c> turns them into the plan beside the app (docs/msbuild.md).
/// <code>
/// dotnet run -c Release --project examples/Llama -- own-loop --profile      profile this loop's steps (once, where it trains)
/// dotnet build -c Release examples/Llama                                     makes bin/…/autockpt.plan.yaml from that profile
/// dotnet run -c Release --project examples/Llama -- own-loop                 trains with the plan applied
/// dotnet run -c Release --project examples/Llama -- own-loop --check-peak    the same, and the runtime measures a step's peak against the cap
/// </code>
/// </summary>
public static class OwnLoop
{
    /// <summary>The profile the project file names (AutoCkptProfile).</summary>
    public const string ProfilePath = "autockpt/llama-tiny.loop.profile.yaml";

    /// <summary>
    /// Profiles the loop into <paramref name="profilePath"/> when given, else trains <paramref name="steps"/> steps with the
    /// plan; with <paramref name="checkPeak"/>, the runtime measures one step's peak against the plan's cap
    /// (<see cref="CheckpointOptions.CheckPeak"/>) and the loop reports it.
    /// </summary>
    public static void Run(int steps, string? profilePath, Action<string> log, bool checkPeak = false)
    {
        manual_seed(2718);
        var model = new LlamaModel(LlamaConfig.Tiny);
        var corpus = new ByteCorpus(ByteCorpus.EmbeddedText(), seed: 2718);
        using var optimizer = optim.AdamW(model.parameters(), lr: 1e-3);
        model.train();
        float last = 0;

        void Step()
        {
            var (x, y) = corpus.Batch(8, LlamaConfig.Tiny.ContextLength, CPU);
            optimizer.zero_grad();
            var logits = model.call(x);
            var loss = nn.functional.cross_entropy(logits.view(-1, logits.shape[^1]), y.view(-1));
            loss.backward();
            optimizer.step();
            last = loss.item<float>();
        }

        if (profilePath is not null)
        {
            StepProfiler.Profile(model, Step, profilePath, new() { Name = "llama-tiny-loop", Optimizer = optimizer });   // AutoCkpt: profile the app's own steps
            log($"wrote {profilePath}; now 'dotnet build' makes the plan from it");
            return;
        }
        Checkpointing.Apply(model, options: new CheckpointOptions { CheckPeak = checkPeak });       // AutoCkpt: apply the plan the build made
        log($"training with {Checkpointing.Applied(model)?.PlanFile}");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
        for (int step = 1; step <= steps; step++)
        {
            using var scope = NewDisposeScope();
            Step();
            if (step == 1 || step % 5 == 0 || step == steps) log($"    step {step,3}: loss {last:0.000}");
        }
        log($"{steps} steps in {clock.Elapsed.TotalSeconds:0.00} s ({(System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds:0.00} s of CPU)");
        if (checkPeak && Checkpointing.Applied(model) is { MeasuredPeakBytes: { } peak, Plan: var plan })
            log($"peak check: a step measured {peak / 1048576.0:0.00} MiB against the plan's cap of {plan.MemoryCapBytes / 1048576.0:0.00} MiB " +
                $"(predicted {plan.Predicted?.PeakBytes / 1048576.0:0.00} MiB): {(peak <= plan.MemoryCapBytes ? "under" : "OVER")} the cap");
    }
}
