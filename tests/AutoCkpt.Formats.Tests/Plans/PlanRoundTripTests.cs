using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Plans;
using AutoCkpt.Formats.Tests.Support;
using Xunit;

namespace AutoCkpt.Formats.Tests.Plans;

/// <summary>Property: every valid plan the tool writes reads back to the same content, whatever its names and numbers.</summary>
public sealed class PlanRoundTripTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Given_random_valid_plans_When_formatted_and_parsed_Then_each_is_the_same_plan(int seed)
    {
        var random = new RandomFiles(seed);
        for (int i = 0; i < 250; i++)
        {
            var p = random.Plan();
            string header = random.Name();
            string text = PlanFile.Format(p, header);
            Formats.Plans.Plan back;
            try
            {
                back = PlanFile.Parse(text, "random.plan.yaml");
            }
            catch (AckptException e)
            {
                Assert.Fail($"plan {i} of seed {seed} does not read back: {e}\n{text}");
                throw;
            }
            AssertSame(p, back);
            Assert.Equal(text, PlanFile.Format(back, header));
        }
    }

    [Fact]
    public void Given_a_plan_whose_device_type_and_solver_are_not_plain_words_When_written_and_read_Then_it_is_the_same_plan()
    {
        // Before: device type, solver and baseline names were written unquoted, so "cu: da" made a plan that did not read back.
        string path = Path.Combine(Directory.CreateTempSubdirectory("autockpt-roundtrip-").FullName, "p.plan.yaml");
        var p = Texts.Plan() with
        {
            Device = new DeviceInfo("cu: da", "# x"),
            Solver = new SolverInfo("null", "[x]", "a, b", 1e-17, 0),
            Baselines = [new Baseline("{ x }", 1, 1)],
            Sweep = [new SweepPoint(2, 1, 1) { UniformName = "true", UniformPeakBytes = 1, UniformStepSeconds = 1 }],
        };
        PlanFile.Write(path, p, header: "made from\rtarget: evil");
        AssertSame(p, PlanFile.Read(path));
    }

    private static void AssertSame(Formats.Plans.Plan p, Formats.Plans.Plan back)
    {
        Assert.Equal((p.Format, p.Target, p.Model, p.Device, p.BatchSize), (back.Format, back.Target, back.Model, back.Device, back.BatchSize));
        Assert.Equal((p.MemoryCapBytes, p.HeadroomBytes, p.ProfilePath), (back.MemoryCapBytes, back.HeadroomBytes, back.ProfilePath));
        Assert.Equal(p.Predicted, back.Predicted);
        Assert.Equal(p.Solver, back.Solver);
        Assert.Equal(p.Baselines, back.Baselines);
        Assert.Equal(p.Sweep, back.Sweep);
        Assert.Equal(p.Segments, back.Segments);
        Assert.Equal((p.CorrectionBytes, p.Verified), (back.CorrectionBytes, back.Verified));
    }
}
