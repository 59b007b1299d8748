using AutoCkpt.Formats;
using AutoCkpt.Formats.Profiles;

namespace AutoCkpt.Testing;

/// <summary>Profiles for tests: hand-made ones and seeded random ones.</summary>
public static class TestProfiles
{
    public static StageProfile Stage(string name, double fwd, double bwd, long output, long retained, long ft = 0, long bt = 0, long freed = 0, long inputFreed = 0) =>
        new(name, fwd, bwd, output, retained, ft, bt) { BackwardFreedBytes = freed, InputFreedBytes = inputFreed };

    public static Profile Of(long fixedTotal, params StageProfile[] stages) => new()
    {
        Target = "test",
        Model = new ModelInfo("sha256:test", stages.Length),
        Device = new DeviceInfo("cpu", "test cpu"),
        BatchSize = 4,
        FixedBytes = new FixedBytes(fixedTotal, 0, 0, 0),
        Stages = stages,
    };

    /// <summary>n identical stages: 10 ms forward, 20 ms backward, output 1 MB, retained 8 MB, transients 2 MB.</summary>
    public static Profile Uniform(int n, long fixedTotal = 100_000_000) =>
        Of(fixedTotal, [.. Enumerable.Range(0, n).Select(i => Stage($"blocks.{i}", 0.010, 0.020, 1_000_000, 8_000_000, 2_000_000, 2_000_000, 0))]);

    /// <summary>
    /// A random profile with heterogeneous stages; every figure physically plausible. With
    /// <paramref name="recomputeSeed"/>, stages also carry the figures of a stage inside a recompute segment, drawn
    /// from a second generator so that the plain figures stay those of <paramref name="rng"/>.
    /// </summary>
    public static Profile Random(Random rng, int n, int? recomputeSeed = null)
    {
        var recRng = new Random(recomputeSeed ?? 0);
        bool withRecompute = recomputeSeed is not null;
        var stages = new StageProfile[n];
        for (int i = 0; i < n; i++)
        {
            long output = rng.NextInt64(1, 64) * 1_000_000;
            long retained = output + rng.NextInt64(0, 400) * 1_000_000;
            long freed = rng.Next(4) == 0 ? -rng.NextInt64(0, output) : rng.NextInt64(0, retained / 4);
            long inputFreed = i > 0 && rng.Next(2) == 0 ? stages[i - 1].OutputBytes : 0;
            stages[i] = Stage($"s{i}", 0.001 * rng.Next(1, 50), 0.001 * rng.Next(1, 100), output, retained,
                rng.NextInt64(0, 100) * 1_000_000, rng.NextInt64(0, 200) * 1_000_000, freed, inputFreed);
            if (withRecompute)
            {
                long saved = recRng.NextInt64(output, retained + 1);
                stages[i] = stages[i] with
                {
                    Recompute = new RecomputeFigures(saved, recRng.NextInt64(0, 200) * 1_000_000,
                        recRng.Next(4) == 0 ? -recRng.NextInt64(0, output) : recRng.NextInt64(0, saved)),
                };
            }
        }
        return Of(rng.NextInt64(0, 2_000) * 1_000_000, stages);
    }

    /// <summary>
    /// <paramref name="profile"/> with a measured <c>step_time</c>: the whole step 0.5 to 1.5 times the stages' sum, and a
    /// cost per recompute segment from 0 to 3 times the mean stage forward, and in half the draws a cost per recomputed
    /// unit from 0 to the mean stage forward (each rounded to whole microseconds).
    /// </summary>
    public static Profile WithStepTime(Profile profile, Random rng)
    {
        double sum = profile.Stages.Sum(s => s.ForwardSeconds + s.BackwardSeconds);
        double meanForward = profile.Stages.Average(s => s.ForwardSeconds);
        double step = Math.Round(sum * (0.5 + rng.NextDouble()), 6);
        double segment = Math.Round(meanForward * 3 * rng.NextDouble(), 6);
        double unit = rng.Next(2) == 0 ? 0 : Math.Round(meanForward * rng.NextDouble(), 6);
        return profile with { StepTime = new StepTimeFigures(step, segment, unit) };
    }

    /// <summary>
    /// n single-op units, each keeping its 8 MB output and a 2 MB mask but freeing its 8 MB input (a ReLU or a batch
    /// norm saves its output, not its input): each kept unit adds 2 MB, each recomputed one holds its 8 MB output, so
    /// every_stage holds four times what no recompute holds; longer recompute segments still save memory.
    /// </summary>
    public static Profile SingleOpChain(int n) => Of(50_000_000,
        [.. Enumerable.Range(0, n).Select(i => Stage($"features.{i}", 0.001, 0.002, 8_000_000, 10_000_000, inputFreed: i == 0 ? 0 : 8_000_000))]);
}
