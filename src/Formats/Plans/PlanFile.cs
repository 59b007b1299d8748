using System.Text;
using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Profiles;
using AutoCkpt.Formats.Yaml;
using static AutoCkpt.Formats.Yaml.YamlText;

namespace AutoCkpt.Formats.Plans;

/// <summary>Reads plan files (<c>autockpt-plan/2</c> and <c>autockpt-plan/1</c>) and writes <c>autockpt-plan/2</c>.</summary>
public static class PlanFile
{
    /// <summary>The file name the MSBuild integration writes next to the app and the runtime looks for.</summary>
    public const string DefaultFileName = "autockpt.plan.yaml";

    /// <summary>
    /// Reads and validates a plan. Throws <see cref="AckptException"/>: ACKPT001 missing, ACKPT002 malformed,
    /// ACKPT003 unknown format, ACKPT004 segments that overlap, leave gaps or run past the last stage,
    /// ACKPT009 unknown strategy, ACKPT018 a multi-level segment's <c>inner</c> keys that break its rules. A path that is not a regular file, or a file past <see cref="FileLimits"/>, is ACKPT002.
    /// </summary>
    public static Plan Read(string path)
    {
        if (!File.Exists(path) && !Directory.Exists(path))
            throw new AckptException(ErrorCodes.PlanMissing, $"plan '{path}' does not exist: run 'autockpt plan' or build the project with AutoCkptProfile set.", path);
        return Parse(InputFile.ReadText(path, ErrorCodes.PlanMalformed, "plan"), path);
    }

    /// <summary>Parses plan text; <paramref name="file"/> is named in errors.</summary>
    public static Plan Parse(string text, string file)
    {
        var root = YamlMap.Parse(text, file, ErrorCodes.PlanMalformed);
        string format = root.Str("format");
        if (format != Plan.FormatTag && format != Plan.FormatTag1)
            throw new AckptException(ErrorCodes.PlanUnknownFormat, $"unknown plan format '{format}': this version reads '{Plan.FormatTag}' and '{Plan.FormatTag1}'. Regenerate the plan with this version's 'autockpt plan'.", file);
        var model = root.Map("model");
        var device = root.Map("device");
        var predicted = root.OptMap("predicted");
        var solver = root.OptMap("solver");
        var modelInfo = new ModelInfo(model.Str("fingerprint"), model.Int("stages", FileLimits.MaxStages));
        IReadOnlyList<Segment> segments;
        IReadOnlyList<string> paths = [];
        IReadOnlyList<bool> tidy = [], usedLater = [];
        if (format == Plan.FormatTag1)
            segments = root.List("segments", max: FileLimits.MaxStages).Select(s => new Segment(s.Int("first", FileLimits.MaxStages), s.Int("last", FileLimits.MaxStages), ParseStrategy(s.Str("strategy"), file, s.Path))).ToList();
        else
            (segments, paths, tidy, usedLater) = ParseUnits(root.List("units", max: FileLimits.MaxStages), modelInfo.Stages, file);
        ValidateSegments(segments, modelInfo.Stages, file);
        // A plan's byte counts are caps and predicted sums, never summed again: any long that is not negative.
        long cap = root.Bytes("memory_cap_bytes", long.MaxValue), headroom = root.Has("headroom_bytes") ? root.Bytes("headroom_bytes", long.MaxValue) : 0;
        if (headroom >= cap)
            throw new AckptException(ErrorCodes.PlanMalformed, $"headroom_bytes ({headroom}) must be less than memory_cap_bytes ({cap}).", file);
        var verified = root.OptMap("verified");
        long correction = verified is not null && verified.Has("correction_bytes") ? verified.Bytes("correction_bytes", long.MaxValue) : 0;
        if (correction >= cap - headroom)
            throw new AckptException(ErrorCodes.PlanMalformed, $"verified.correction_bytes ({correction}) must be less than memory_cap_bytes less headroom_bytes ({cap - headroom}).", file);
        return new Plan
        {
            Target = root.Str("target"),
            Model = modelInfo,
            Device = new DeviceInfo(device.Str("type"), device.OptStr("name") ?? ""),
            BatchSize = root.Int("batch_size"),
            MemoryCapBytes = cap,
            HeadroomBytes = headroom,
            Predicted = predicted is null ? null : new Prediction(predicted.Bytes("peak_bytes", long.MaxValue), predicted.Seconds("step_seconds"), predicted.Seconds("recompute_seconds"))
            {
                FixedBytes = predicted.Has("fixed_bytes") ? predicted.Bytes("fixed_bytes", long.MaxValue) : null,
            },
            Solver = solver is null ? null : new SolverInfo(solver.Str("method"), solver.Str("backend"), solver.Str("status"), solver.Ratio("gap"), solver.Seconds("solve_seconds"))
            {
                Bound = solver.OptStr("bound"),
                LowerBoundSeconds = solver.Has("lower_bound_seconds") ? solver.Seconds("lower_bound_seconds") : null,
            },
            Baselines = root.List("baselines", required: false, max: FileLimits.MaxListEntries).Select(b => new Baseline(b.Str("name"), b.Bytes("peak_bytes", long.MaxValue), b.Seconds("step_seconds"))).ToList(),
            ProfilePath = root.OptStr("profile"),
            Sweep = root.List("sweep", required: false, max: FileLimits.MaxListEntries).Select(ParseSweepPoint).ToList(),
            Segments = segments,
            Format = format,
            UnitPaths = paths,
            TidyUnits = tidy,
            UsedLaterUnits = usedLater,
            InputShape = ProfileFile.ReadInputShape(root),
            CorrectionBytes = correction,
            Verified = verified is null ? null : new PlanVerification(
                verified.Bytes("measured_peak_bytes", long.MaxValue), verified.Int("rounds"), verified.Int("steps"), verified.Str("device")),
        };
    }

    /// <summary>
    /// Format 2's units: one per stage in forward order, with segment numbers 0, 1, 2, … in order (units with the same
    /// number form one segment, of one strategy); <c>tidy</c> only on kept units; a variant's key
    /// (<see cref="SegmentStrategy.UnitKey"/>, e.g. <c>save_matmuls</c>) only on a unit its base runs, alone in its
    /// segment where the variant runs one unit (docs/selective.md). ACKPT004 when they are not.
    /// </summary>
    private static (IReadOnlyList<Segment>, IReadOnlyList<string>, IReadOnlyList<bool>, IReadOnlyList<bool>) ParseUnits(IReadOnlyList<YamlMap> units, int stages, string file)
    {
        if (units.Count != stages)
            throw new AckptException(ErrorCodes.PlanBadSegments, $"units lists {units.Count} units but model.stages says {stages}: there must be one unit per stage, in forward order.", file);
        var segments = new List<Segment>();
        var paths = new List<string>(units.Count);
        var tidy = new List<bool>(units.Count);
        var usedLater = new List<bool>(units.Count);
        var variants = new List<(SegmentStrategy Strategy, string? Option)?>(units.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var inner = new List<string?>(units.Count);
        for (int i = 0; i < units.Count; i++)
        {
            var u = units[i];
            string path = u.Str("path");
            if (path.Length == 0)
                throw u.Fail($"{u.Path}.path is empty: a unit is addressed by its module path.");
            if (!seen.Add(path))
                throw new AckptException(ErrorCodes.PlanBadSegments, $"{u.Path}.path '{path}' names a unit listed before it: every unit appears once.", file);
            int segment = u.Int("segment", FileLimits.MaxStages);
            var strategy = ParseStrategy(u.Str("strategy"), file, u.Path);
            bool isTidy = ParseTidy(u, file);
            var variant = ParseVariant(u, file);
            int expected = segments.Count == 0 ? 0 : segments.Count - 1;
            if (segments.Count > 0 && segment == expected)
            {
                if (segments[^1].Strategy != strategy)
                    throw new AckptException(ErrorCodes.PlanBadSegments,
                        $"{u.Path} ('{path}') is in segment {segment} with strategy '{StrategyName(strategy)}', but that segment's first unit has '{StrategyName(segments[^1].Strategy)}': a segment has one strategy.", file);
                segments[^1] = segments[^1] with { Last = i };
            }
            else if (segment == segments.Count)
                segments.Add(new Segment(i, i, strategy));
            else
                throw new AckptException(ErrorCodes.PlanBadSegments,
                    $"{u.Path} ('{path}') has segment {segment}, but segment numbers run 0, 1, 2, … in unit order: expected {(segments.Count == 0 ? "0" : $"{segments.Count - 1} or {segments.Count}")}.", file);
            if (isTidy && strategy != SegmentStrategy.Keep)
                throw new AckptException(ErrorCodes.PlanBadSegments, $"{u.Path} ('{path}') is recomputed and tidy: only a kept unit can be tidy (a recomputed one frees its intermediates anyway).", file);
            string? innerKey = u.OptStr("inner");
            if (innerKey is not null && strategy != SegmentStrategy.Recompute)
                throw new AckptException(ErrorCodes.PlanBadNesting, $"{u.Path} ('{path}') is kept but has an inner key: only a recomputed unit runs in a nested recompute.", file);
            paths.Add(path);
            tidy.Add(isTidy);
            usedLater.Add(ParseFlag(u, "output_used_later", file));
            inner.Add(innerKey);
            variants.Add(variant);
        }
        for (int k = 0; k < segments.Count; k++)
            segments[k] = NestedSegments.FromKeys(segments[k], inner.GetRange(segments[k].First, segments[k].Length), file);
        for (int k = 0; k < segments.Count; k++)
        {
            var s = segments[k];
            for (int i = s.First; i <= s.Last; i++)
                if (variants[i] is { } v && (s.Strategy != v.Strategy.Base || (v.Strategy.OneUnit && s.Length > 1) || (i > s.First && variants[i] != variants[s.First])))
                    throw new AckptException(ErrorCodes.PlanBadSegments,
                        $"{units[i].Path} ('{paths[i]}') has {v.Strategy.UnitKey} but is {(s.Strategy != v.Strategy.Base ? s.Strategy.Participle : v.Strategy.OneUnit ? $"one of {s.Length} units of a {s.Strategy.Name} segment" : "in a segment whose units say otherwise")}: " +
                        $"{v.Strategy.UnitKey} is an option of a {v.Strategy.Base.Participle} unit{(v.Strategy.OneUnit ? " alone in its segment" : ", the same for every unit of its segment")}.", file);
            if (variants[s.First] is { } chosen)
            {
                if (Enumerable.Range(s.First, s.Length).Any(i => variants[i] != chosen))
                    throw new AckptException(ErrorCodes.PlanBadSegments,
                        $"{units[s.Last].Path} ('{paths[s.Last]}') lacks {chosen.Strategy.UnitKey}, which the first unit of its segment has: a segment has one strategy.", file);
                if (s.IsNested)
                    throw new AckptException(ErrorCodes.PlanBadNesting, $"{units[s.First].Path} ('{paths[s.First]}') has {chosen.Strategy.UnitKey} and an inner key: only a plain recompute segment nests.", file);
                segments[k] = s with { Strategy = chosen.Strategy, Option = chosen.Option };
            }
        }
        Plan.CheckUsedLater(segments, usedLater, paths, file);
        return (segments, paths, tidy, usedLater);
    }

    /// <summary>The variant a unit's keys select (<see cref="SegmentStrategy.UnitKey"/>), with its option; null for none (ACKPT002 on a bad value, ACKPT004 on two).</summary>
    private static (SegmentStrategy Strategy, string? Option)? ParseVariant(YamlMap unit, string file)
    {
        (SegmentStrategy, string?)? found = null;
        foreach (var v in SegmentStrategy.All.Where(v => v.UnitKey is not null))
        {
            string? option = null;
            if (v.TakesOption)
            {
                option = unit.OptStr(v.UnitKey!);
                if (option is null) continue;
                if (!SegmentStrategy.IsValidOption(option))
                    throw new AckptException(ErrorCodes.PlanMalformed, $"{unit.Path}.{v.UnitKey} is '{option}': expected a name of letters, digits, '_' and '.', or several joined by '+', none repeated or inside another.", file);
            }
            else if (!ParseFlag(unit, v.UnitKey!, file)) continue;
            if (found is { } other)
                throw new AckptException(ErrorCodes.PlanBadSegments, $"{unit.Path} has both {other.Item1.UnitKey} and {v.UnitKey}: a unit runs one strategy.", file);
            found = (v, option);
        }
        return found;
    }

    private static bool ParseTidy(YamlMap unit, string file) => ParseFlag(unit, "tidy", file);

    private static bool ParseFlag(YamlMap unit, string key, string file) => unit.OptStr(key) switch
    {
        null or "false" => false,
        "true" => true,
        var other => throw new AckptException(ErrorCodes.PlanMalformed, $"{unit.Path}.{key} is '{other}': expected true or false.", file),
    };

    private static SweepPoint ParseSweepPoint(YamlMap s) =>
        new(s.Bytes("cap_bytes", long.MaxValue), s.Bytes("optimal_peak_bytes", long.MaxValue), s.Seconds("optimal_step_seconds"))
        {
            UniformName = s.OptStr("uniform_name"),
            UniformPeakBytes = s.Has("uniform_peak_bytes") ? s.Bytes("uniform_peak_bytes", long.MaxValue) : null,
            UniformStepSeconds = s.Has("uniform_step_seconds") ? s.Seconds("uniform_step_seconds") : null,
        };

    /// <summary>Checks that segments are in order and cover stages 0..stages-1 exactly once (ACKPT004).</summary>
    public static void ValidateSegments(IReadOnlyList<Segment> segments, int stages, string? file)
    {
        if (segments.Count == 0)
            throw new AckptException(ErrorCodes.PlanBadSegments, "the plan has no segments; they must cover every stage once.", file);
        int next = 0;
        for (int i = 0; i < segments.Count; i++)
        {
            var s = segments[i];
            if (s.Last < s.First)
                throw new AckptException(ErrorCodes.PlanBadSegments, $"segments[{i}] ends (last: {s.Last}) before it starts (first: {s.First}).", file);
            if (s.First < next)
                throw new AckptException(ErrorCodes.PlanBadSegments, $"segments[{i}] (stages {s.First}-{s.Last}) overlaps the segment before it, which ends at stage {next - 1}.", file);
            if (s.First > next)
                throw new AckptException(ErrorCodes.PlanBadSegments, $"segments[{i}] starts at stage {s.First}, leaving stages {next}-{s.First - 1} in no segment.", file);
            if (s.Last >= stages)
                throw new AckptException(ErrorCodes.PlanBadSegments, $"segments[{i}] runs to stage {s.Last}, past the last stage ({stages - 1}) of a {stages}-stage model.", file);
            if (s.Strategy.OneUnit && s.Length > 1)
                throw new AckptException(ErrorCodes.PlanBadSegments, $"segments[{i}] (stages {s.First}-{s.Last}) is {s.Strategy.Name}, which runs one stage alone in its segment.", file);
            if (s.Strategy.TakesOption != s.Option is not null || (s.Option is { } option && !SegmentStrategy.IsValidOption(option)))
                throw new AckptException(ErrorCodes.PlanBadSegments, $"segments[{i}] (stages {s.First}-{s.Last}) is {s.Strategy.Name} {(s.Option is null ? "without its option" : !s.Strategy.TakesOption ? $"with an option ('{s.Option}') it does not take" : $"with option '{s.Option}', which is not a name of letters, digits, '_' and '.' (several joined by '+', none repeated or inside another)")}.", file);
            NestedSegments.Validate(s, file);
            next = s.Last + 1;
        }
        if (next != stages)
            throw new AckptException(ErrorCodes.PlanBadSegments, $"the segments end at stage {next - 1}, leaving stages {next}-{stages - 1} in no segment.", file);
    }

    /// <summary>The name a unit's (or format 1's segment's) <c>strategy</c> key says: the strategy's, or its base's for a variant.</summary>
    public static string StrategyName(SegmentStrategy s) => s.Base.Name;

    private static SegmentStrategy ParseStrategy(string text, string file, string where) =>
        SegmentStrategy.Bases.FirstOrDefault(s => s.Name == text)
        ?? throw new AckptException(ErrorCodes.PlanUnknownStrategy, $"{where}.strategy '{text}' is unknown: this version knows {string.Join(" and ", SegmentStrategy.Bases.Select(s => $"'{s.Name}'"))}.", file);

    /// <summary>
    /// Formats a plan as YAML, starting with <paramref name="header"/> as a comment: <c>autockpt-plan/2</c> when the
    /// plan has <see cref="Plan.UnitPaths"/>, else <c>autockpt-plan/1</c> (segments by index, nothing tidy).
    /// Throws <see cref="ArgumentException"/> for a plan with tidy units but no unit paths.
    /// </summary>
    public static string Format(Plan p, string? header = null)
    {
        bool units = p.UnitPaths.Count > 0;
        if (units && p.UnitPaths.Count != p.Model.Stages)
            throw new ArgumentException($"the plan has {p.UnitPaths.Count} unit paths for {p.Model.Stages} stages.", nameof(p));
        if (!units && (p.TidyCount > 0 || p.Segments.Any(s => s.Strategy.IsVariant)))
            throw new ArgumentException($"a plan with tidy or {string.Join(" or ", SegmentStrategy.All.Where(s => s.IsVariant).Select(s => s.Name))} units needs its unit paths to be written (format 2).", nameof(p));
        if (!units && p.IsNested)
            throw new ArgumentException("a plan with multi-level recompute segments needs its unit paths to be written (format 2).", nameof(p));
        var sb = new StringBuilder(Comment(header));
        sb.Append("format: ").Append(units ? Plan.FormatTag : Plan.FormatTag1).Append('\n');
        sb.Append("target: ").Append(Str(p.Target)).Append('\n');
        sb.Append("model: ").Append(Flow(("fingerprint", Str(p.Model.Fingerprint)), ("stages", Num(p.Model.Stages)))).Append('\n');
        sb.Append("device: ").Append(Flow(("type", Word(p.Device.Type)), ("name", Str(p.Device.Name)))).Append('\n');
        sb.Append("batch_size: ").Append(Num(p.BatchSize)).Append('\n');
        if (p.InputShape.Count > 0)
            sb.Append("input_shape: ").Append(InputShape.Format(p.InputShape)).Append('\n');
        sb.Append("memory_cap_bytes: ").Append(Num(p.MemoryCapBytes)).Append('\n');
        sb.Append("headroom_bytes: ").Append(Num(p.HeadroomBytes)).Append('\n');
        if (p.Verified is { } v)
            sb.Append("verified: ").Append(Flow(("measured_peak_bytes", Num(v.MeasuredPeakBytes)), ("correction_bytes", Num(p.CorrectionBytes)),
                ("rounds", Num(v.Rounds)), ("steps", Num(v.Steps)), ("device", Word(v.DeviceType)))).Append("   # autockpt plan --verify: measured on the device\n");
        if (p.Predicted is { } pr)
        {
            var keys = new List<(string, string)> { ("peak_bytes", Num(pr.PeakBytes)), ("step_seconds", Num(pr.StepSeconds)), ("recompute_seconds", Num(pr.RecomputeSeconds)) };
            if (pr.FixedBytes is { } fixedBytes) keys.Add(("fixed_bytes", Num(fixedBytes)));
            sb.Append("predicted: ").Append(Flow([.. keys])).Append('\n');
        }
        if (p.Solver is { } so)
        {
            var pairs = new List<(string, string)> { ("method", Word(so.Method)), ("backend", Word(so.Backend)), ("status", Word(so.Status)), ("gap", Num(so.Gap)), ("solve_seconds", Num(so.SolveSeconds)) };
            if (so.Bound is { } bound) pairs.Add(("bound", Str(bound)));
            if (so.LowerBoundSeconds is { } lower) pairs.Add(("lower_bound_seconds", Num(lower)));
            sb.Append("solver: ").Append(Flow([.. pairs])).Append('\n');
        }
        if (p.Baselines.Count > 0)
        {
            sb.Append("baselines:\n");
            foreach (var b in p.Baselines)
                sb.Append("  - ").Append(Flow(("name", Word(b.Name)), ("peak_bytes", Num(b.PeakBytes)), ("step_seconds", Num(b.StepSeconds)))).Append('\n');
        }
        if (p.ProfilePath is { } profile)
            sb.Append("profile: ").Append(Str(profile)).Append('\n');
        if (p.Sweep.Count > 0)
        {
            sb.Append("sweep:\n");
            foreach (var s in p.Sweep)
            {
                var pairs = new List<(string, string)> { ("cap_bytes", Num(s.CapBytes)), ("optimal_peak_bytes", Num(s.OptimalPeakBytes)), ("optimal_step_seconds", Num(s.OptimalStepSeconds)) };
                if (s.UniformName is { } u && s.UniformPeakBytes is { } up && s.UniformStepSeconds is { } us)
                    pairs.AddRange([("uniform_name", Word(u)), ("uniform_peak_bytes", Num(up)), ("uniform_step_seconds", Num(us))]);
                sb.Append("  - ").Append(Flow([.. pairs])).Append('\n');
            }
        }
        if (!units)
        {
            sb.Append("segments:\n");
            foreach (var s in p.Segments)
                sb.Append("  - ").Append(Flow(("first", Num(s.First)), ("last", Num(s.Last)), ("strategy", StrategyName(s.Strategy)))).Append('\n');
            return sb.ToString();
        }
        sb.Append("units:                       # one per unit (stage), in forward order, by module path\n");
        int index = 0;
        foreach (var u in p.Units)
        {
            var pairs = new List<(string, string)> { ("path", Str(u.Path)), ("segment", Num(u.Segment)), ("strategy", StrategyName(u.Strategy)) };
            if (u.Strategy.Base == SegmentStrategy.Keep) pairs.Add(("tidy", u.Tidy ? "true" : "false"));
            if (u.Inner is { } innerKey) pairs.Add(("inner", Str(innerKey)));
            if (u.Strategy.UnitKey is { } key) pairs.Add((key, u.Strategy.TakesOption ? Str(u.Option ?? "") : "true"));
            if (p.IsUsedLater(index++)) pairs.Add(("output_used_later", "true"));
            sb.Append("  - ").Append(Flow([.. pairs])).Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>Writes a plan atomically. Throws ACKPT029 when the path cannot be written.</summary>
    public static void Write(string path, Plan plan, string? header = null) =>
        AtomicFile.WriteAllText(path, Format(plan, header));
}
