using AutoCkpt.Fuzz.Running;
using Xunit;
using Xunit.Abstractions;

namespace AutoCkpt.Formats.Tests.Fuzz;

/// <summary>
/// The fast seed set of the fuzz suite (tests/AutoCkpt.Fuzz): 100 mutated profiles and plans and the special files
/// (/dev/zero, a FIFO, a folder, a link, an empty and an oversize file), each run through the real tool as a child
/// process (plan, show, show --svg, show of the plan it wrote, and the runtime's PlanFile.Read). Every one must get a valid
/// result or a coded error: no crash, hang, stack trace, changed output or stray file. The long run is
/// <c>dotnet run -c Release --project tests/AutoCkpt.Fuzz -- --count 3000 --seed 7</c>.
/// </summary>
public sealed class FuzzSeedSetTests(ITestOutputHelper output)
{
    [Fact]
    public void Given_the_seed_set_of_mutated_files_When_the_tool_reads_them_Then_each_gets_a_valid_result_or_a_coded_error()
    {
        string here = AppContext.BaseDirectory;
        string work = Directory.CreateTempSubdirectory("autockpt-fuzz-").FullName;
        var report = FuzzRun.Run(new FuzzOptions
        {
            Count = 100,
            Seed = 12,
            CliDll = Path.Combine(here, "autockpt.dll"),
            FuzzDll = Path.Combine(here, "AutoCkpt.Fuzz.dll"),
            WorkFolder = work,
            Jobs = Math.Max(2, Environment.ProcessorCount),
            Timeout = TimeSpan.FromSeconds(60),
        });
        output.WriteLine(report.Summary());
        Assert.True(report.Failures.Count == 0, report.Summary());
        // The set reaches both outcomes and every command, so it tests what it says.
        Assert.Equal(100, report.Results.Where(r => r.Case >= 0).Select(r => r.Case).Distinct().Count());
        Assert.Contains(report.Results, r => r.Verdict == Verdict.Valid && r.Command == "show-written");
        Assert.Contains(report.Results, r => r.Verdict == Verdict.CodedError && r.Command == "plan");
        Assert.Contains(report.Results, r => r.Verdict == Verdict.CodedError && r.Command == "read-plan");
        Assert.Contains(report.Results, r => r.Verdict == Verdict.Valid && r.Command == "show-svg");
        Assert.Contains(report.Results, r => r.Case < 0 && r.Seed == "/dev/zero" && r.Verdict == Verdict.CodedError);
        Directory.Delete(work, recursive: true);
    }
}
