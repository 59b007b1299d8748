using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using AutoCkpt.Fuzz.Mutation;

namespace AutoCkpt.Fuzz.Running;

/// <summary>A whole fuzz run: <see cref="FuzzOptions.Count"/> mutated inputs, and the special files.</summary>
public static class FuzzRun
{
    /// <summary>Runs every case and returns every command's verdict.</summary>
    public static FuzzReport Run(FuzzOptions o, TextWriter? progress = null)
    {
        var watch = Stopwatch.StartNew();
        var seeds = Seeds.All();
        var mutator = Mutator.ForYaml();
        var results = new ConcurrentBag<CaseResult>();
        var runner = new FuzzCase(o);
        string failures = Path.Combine(o.WorkFolder, "failures");
        Directory.CreateDirectory(failures);
        int done = 0;
        Parallel.For(0, o.Count, new ParallelOptions { MaxDegreeOfParallelism = o.Jobs }, i =>
        {
            var rng = new Random(unchecked(o.Seed * 1_000_003 + i));
            var seed = seeds[rng.Next(seeds.Count)];
            var mutant = mutator.Mutate(seed.Text, rng);
            string folder = Path.Combine(o.WorkFolder, $"case-{i:D5}");
            var caseResults = runner.Run(i, seed, mutant.Operators, mutant.Bytes, folder);
            foreach (var r in caseResults) results.Add(Keep(r, failures, mutant.Bytes));
            TryDelete(folder);
            int n = Interlocked.Increment(ref done);
            if (progress is not null && n % 250 == 0) progress.WriteLine($"  {n}/{o.Count} inputs, {watch.Elapsed.TotalSeconds:0} s");
        });
        if (o.SpecialFiles)
            foreach (var r in Special(o, runner)) results.Add(r);
        return new FuzzReport(o, [.. results.OrderBy(r => r.Case).ThenBy(r => r.Command, StringComparer.Ordinal)], watch.Elapsed.TotalSeconds);
    }

    // Paths that are not regular files, and regular files at the edges: each must be refused with a code, never read unbounded.
    private static IEnumerable<CaseResult> Special(FuzzOptions o, FuzzCase runner)
    {
        string folder = Path.Combine(o.WorkFolder, "special");
        Directory.CreateDirectory(folder);
        var inputs = new List<(string Name, string Path)> { ("/dev/zero", "/dev/zero"), ("/dev/urandom", "/dev/urandom"), ("a folder", folder) };
        string fifo = Path.Combine(folder, "fifo.yaml");
        if (FuzzCase.TryMakeFifo(fifo)) inputs.Add(("a FIFO", fifo));
        string link = Path.Combine(folder, "zero-link.yaml");
        File.CreateSymbolicLink(link, "/dev/zero");
        inputs.Add(("a link to /dev/zero", link));
        string empty = Path.Combine(folder, "empty.yaml");
        File.WriteAllText(empty, "");
        inputs.Add(("an empty file", empty));
        string big = Path.Combine(folder, "big.yaml");
        using (var f = File.Create(big)) f.SetLength(64L * 1024 * 1024);
        inputs.Add(("a 64 MiB file of NULs", big));
        var expected = new[] { "fifo.yaml", "zero-link.yaml", "empty.yaml", "big.yaml" };
        foreach (var (name, path) in inputs)
            foreach (var r in runner.RunSpecial(name, folder, path, expected))
                yield return r;
        TryDelete(folder);
    }

    private static CaseResult Keep(CaseResult r, string failures, byte[] bytes)
    {
        if (r.Verdict.IsAcceptable()) return r;
        string kept = Path.Combine(failures, $"case-{r.Case:D5}.yaml");
        if (!File.Exists(kept)) File.WriteAllBytes(kept, bytes);
        return r with { Input = kept };
    }

    private static void TryDelete(string folder)
    {
        try { Directory.Delete(folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// <summary>Every verdict of a run, and its summary.</summary>
public sealed record FuzzReport(FuzzOptions Options, IReadOnlyList<CaseResult> Results, double Seconds)
{
    /// <summary>The verdicts that are neither a valid result nor a coded error.</summary>
    public IReadOnlyList<CaseResult> Failures => [.. Results.Where(r => !r.Verdict.IsAcceptable())];

    /// <summary>Counts per command and verdict, defect classes with an example each, and every failing input.</summary>
    public string Summary()
    {
        var sb = new StringBuilder();
        int inputs = Results.Where(r => r.Case >= 0).Select(r => r.Case).Distinct().Count();
        sb.AppendLine($"fuzz: {inputs} mutated inputs (seed {Options.Seed}) and {Results.Count(r => r.Case < 0 && r.Command != "files")} special-file runs against {Options.CliDll}");
        sb.AppendLine($"      {Results.Count} command runs in {Seconds:0.0} s, {Options.Jobs} at once, timeout {Options.Timeout.TotalSeconds:0} s");
        var verdicts = Enum.GetValues<Verdict>();
        sb.AppendLine("command       " + string.Join(" ", verdicts.Select(v => v.ToString().PadLeft(16))));
        foreach (var g in Results.GroupBy(r => r.Command).OrderBy(g => g.Key, StringComparer.Ordinal))
            sb.AppendLine(g.Key.PadRight(14) + string.Join(" ", verdicts.Select(v => g.Count(r => r.Verdict == v).ToString().PadLeft(16))));
        var bad = Failures;
        sb.AppendLine($"unacceptable: {bad.Count} command runs on {bad.Select(r => (r.Case, r.Seed)).Distinct().Count()} inputs");
        foreach (var g in bad.GroupBy(r => $"{r.Class} [{r.Command}]").OrderByDescending(g => g.Count()))
        {
            var e = g.First();
            sb.AppendLine($"  {g.Count(),5} x {g.Key}: inputs {string.Join(", ", g.Select(r => r.Case < 0 ? r.Seed : r.Case.ToString(CultureInfo.InvariantCulture)).Distinct().Take(8))}");
            sb.AppendLine($"          e.g. {e.Input} (from {e.Seed}: {e.Operators}): {e.Detail}");
        }
        if (bad.Count > 0)
        {
            sb.AppendLine("failing inputs:");
            foreach (var r in bad) sb.AppendLine($"  {r.Input}\t{r.Command}\t{r.Verdict}\t{r.Operators}\t{r.Detail}");
        }
        return sb.ToString();
    }

}
