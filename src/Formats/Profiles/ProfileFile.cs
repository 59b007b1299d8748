using System.Text;
using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Yaml;
using static AutoCkpt.Formats.Yaml.YamlText;

namespace AutoCkpt.Formats.Profiles;

/// <summary>Reads and writes profile files (<c>autockpt-profile/1</c>).</summary>
public static class ProfileFile
{
    /// <summary>
    /// Reads and validates a profile. Throws <see cref="AckptException"/>: ACKPT020 missing file, ACKPT021 malformed
    /// (the message names the stage and key), not a regular file, or past <see cref="FileLimits"/>; ACKPT022 unknown format.
    /// </summary>
    public static Profile Read(string path)
    {
        if (!File.Exists(path) && !Directory.Exists(path))
            throw new AckptException(ErrorCodes.ProfileMissing, $"profile '{path}' does not exist: run 'autockpt profile' to make one.", path);
        return Parse(InputFile.ReadText(path, ErrorCodes.ProfileMalformed, "profile"), path);
    }

    /// <summary>Parses profile text; <paramref name="file"/> is named in errors.</summary>
    public static Profile Parse(string text, string file)
    {
        // The files AutoCkpt writes read fast (10,000 units: 0.5–1 s with YamlDotNet); any other text, and any check
        // that fails, goes through the full parser, whose errors name the line and column.
        if (YamlMap.TryParseSimple(text, file, ErrorCodes.ProfileMalformed) is { } simple)
        {
            try
            {
                return Read(simple, file);
            }
            catch (AckptException)
            {
                // The full read below reports it, placed.
            }
        }
        return Read(YamlMap.Parse(text, file, ErrorCodes.ProfileMalformed), file);
    }

    private static Profile Read(YamlMap root, string file)
    {
        string format = root.Str("format");
        if (format != Profile.FormatTag)
            throw new AckptException(ErrorCodes.ProfileUnknownFormat, $"unknown profile format '{format}': this version reads '{Profile.FormatTag}'.", file);
        var model = root.Map("model");
        var device = root.Map("device");
        var fixedBytes = root.Map("fixed_bytes");
        var stages = root.List("stages", max: FileLimits.MaxStages).Select(s => new StageProfile(
            s.Str("name"),
            s.Seconds("forward_seconds", FileLimits.MaxStageSeconds),
            s.Seconds("backward_seconds", FileLimits.MaxStageSeconds),
            s.Bytes("output_bytes"),
            s.Bytes("retained_bytes"),
            s.Bytes("forward_transient_bytes"),
            s.Bytes("backward_transient_bytes"))
        {
            BackwardFreedBytes = s.Has("backward_freed_bytes") ? s.SignedBytes("backward_freed_bytes") : 0,
            InputFreedBytes = s.Has("input_freed_bytes") ? s.Bytes("input_freed_bytes") : 0,
            InputHeldBytes = s.Has("input_held_bytes") ? s.Bytes("input_held_bytes") : 0,
            SavedOutputBytes = s.Has("saved_output_bytes") ? s.Bytes("saved_output_bytes") : 0,
            SavedOutputFreedEarlyBytes = s.Has("saved_output_freed_early_bytes") ? s.Bytes("saved_output_freed_early_bytes") : 0,
            SkipGradientBytes = s.Has("skip_gradient_bytes") ? s.Bytes("skip_gradient_bytes") : 0,
            Recompute = s.OptMap("recompute") is { } r
                ? new RecomputeFigures(r.Bytes("retained_bytes"), r.Bytes("backward_transient_bytes"), r.SignedBytes("backward_freed_bytes"))
                {
                    InnerBackwardTransientBytes = r.Has("inner_backward_transient_bytes") ? r.SignedBytes("inner_backward_transient_bytes") : null,
                    InnerBackwardFreedBytes = r.Has("inner_backward_freed_bytes") ? r.SignedBytes("inner_backward_freed_bytes") : null,
                }
                : null,
            Tidy = s.OptMap("tidy") is { } t
                ? new TidyFigures(t.Bytes("retained_bytes"), t.Bytes("forward_transient_bytes"), t.Bytes("backward_transient_bytes"), t.SignedBytes("backward_freed_bytes"))
                : null,
            SaveMatmuls = s.OptMap("save_matmuls") is { } m
                ? new SaveMatmulsFigures(m.Bytes("kept_bytes"), m.Seconds("recompute_seconds", FileLimits.MaxStageSeconds))
                : null,
            SubModules = s.Has("sub_modules") ? [.. s.List("sub_modules", max: FileLimits.MaxStages).Select(c => new SubModuleFigures(
                c.Str("path"), c.Bytes("retained_bytes"), c.Bytes("forward_transient_bytes"), c.Bytes("backward_transient_bytes"),
                c.SignedBytes("backward_freed_bytes"), c.Seconds("recompute_seconds", FileLimits.MaxStageSeconds)))] : [],
            TidyAllowed = s.OptStr("tidy_allowed") switch
            {
                null or "true" => true,
                "false" => false,
                var other => throw s.Fail($"{s.Path}.tidy_allowed is '{other}': expected true or false."),
            },
            RecomputeAllowed = s.OptStr("recompute_allowed") switch
            {
                null or "true" => true,
                "false" => false,
                var other => throw s.Fail($"{s.Path}.recompute_allowed is '{other}': expected true or false."),
            },
            OutputUsedLater = s.OptStr("output_used_later") switch
            {
                null or "false" => false,
                "true" => true,
                var other => throw s.Fail($"{s.Path}.output_used_later is '{other}': expected true or false."),
            },
        }).ToList();
        var modelInfo = new ModelInfo(model.Str("fingerprint"), model.Int("stages", FileLimits.MaxStages));
        if (stages.Count == 0) throw root.Fail("stages is empty: a profile needs at least one stage.");
        if (modelInfo.Stages != stages.Count)
            throw root.Fail($"model.stages says {modelInfo.Stages} but the file lists {stages.Count} stages.");
        var check = root.OptMap("check");
        int batch = root.Int("batch_size");
        if (batch <= 0) throw root.Fail("batch_size must be positive.");
        return new Profile
        {
            Target = root.Str("target"),
            Model = modelInfo,
            Device = new DeviceInfo(device.Str("type"), device.OptStr("name") ?? ""),
            Dtype = root.OptStr("dtype") ?? "float32",
            BatchSize = batch,
            FixedBytes = new FixedBytes(fixedBytes.Bytes("parameters"), fixedBytes.Bytes("gradients"), fixedBytes.Bytes("optimizer_state"), fixedBytes.Bytes("batch")),
            Stages = stages,
            Check = check is null ? null : new ProfileCheck(check.Bytes("forward_retained_bytes_measured"), check.Seconds("step_seconds_measured"))
            {
                StepSecondsSpread = check.Has("step_seconds_spread") ? check.Seconds("step_seconds_spread") : null,
                StageSecondsSpread = check.Has("stage_seconds_spread") ? check.Seconds("stage_seconds_spread") : null,
            },
            InputShape = ReadInputShape(root),
            StepTime = root.OptMap("step_time") is { } st
                ? new StepTimeFigures(st.Seconds("step_seconds"), st.Seconds("recompute_segment_seconds"),
                    st.Has("recompute_unit_seconds") ? st.Seconds("recompute_unit_seconds") : 0)
                : null,
        };
    }

    /// <summary>The optional <c>input_shape</c> ("64x128"); empty when absent.</summary>
    internal static IReadOnlyList<long> ReadInputShape(YamlMap root) =>
        root.OptStr("input_shape") is not { } text ? []
        : InputShape.TryParse(text) ?? throw root.Fail($"input_shape is '{text}': expected 1 to {InputShape.MaxRank} sizes joined by 'x', such as 64x128.");

    /// <summary>Formats a profile as YAML, with an optional comment header.</summary>
    public static string Format(Profile p, string? header = null)
    {
        var sb = new StringBuilder(Comment(header));
        sb.Append("format: ").Append(p.Format).Append('\n');
        sb.Append("target: ").Append(Str(p.Target)).Append('\n');
        sb.Append("model: ").Append(Flow(("fingerprint", Str(p.Model.Fingerprint)), ("stages", Num(p.Model.Stages)))).Append('\n');
        sb.Append("device: ").Append(Flow(("type", Word(p.Device.Type)), ("name", Str(p.Device.Name)))).Append('\n');
        sb.Append("dtype: ").Append(Word(p.Dtype)).Append('\n');
        sb.Append("batch_size: ").Append(Num(p.BatchSize)).Append('\n');
        if (p.InputShape.Count > 0)
            sb.Append("input_shape: ").Append(InputShape.Format(p.InputShape)).Append('\n');
        var f = p.FixedBytes;
        sb.Append("fixed_bytes: ").Append(Flow(("parameters", Num(f.Parameters)), ("gradients", Num(f.Gradients)), ("optimizer_state", Num(f.OptimizerState)), ("batch", Num(f.Batch)))).Append('\n');
        sb.Append("stages:\n");
        foreach (var s in p.Stages)
        {
            sb.Append("  - name: ").Append(Str(s.Name)).Append('\n');
            sb.Append("    forward_seconds: ").Append(Num(s.ForwardSeconds)).Append('\n');
            sb.Append("    backward_seconds: ").Append(Num(s.BackwardSeconds)).Append('\n');
            sb.Append("    output_bytes: ").Append(Num(s.OutputBytes)).Append('\n');
            sb.Append("    retained_bytes: ").Append(Num(s.RetainedBytes)).Append('\n');
            sb.Append("    forward_transient_bytes: ").Append(Num(s.ForwardTransientBytes)).Append('\n');
            sb.Append("    backward_transient_bytes: ").Append(Num(s.BackwardTransientBytes)).Append('\n');
            if (s.BackwardFreedBytes != 0)
                sb.Append("    backward_freed_bytes: ").Append(Num(s.BackwardFreedBytes)).Append('\n');
            if (s.InputFreedBytes != 0)
                sb.Append("    input_freed_bytes: ").Append(Num(s.InputFreedBytes)).Append('\n');
            if (s.InputHeldBytes != 0)
                sb.Append("    input_held_bytes: ").Append(Num(s.InputHeldBytes)).Append('\n');
            if (s.SavedOutputBytes != 0)
                sb.Append("    saved_output_bytes: ").Append(Num(s.SavedOutputBytes)).Append('\n');
            if (s.SavedOutputFreedEarlyBytes != 0)
                sb.Append("    saved_output_freed_early_bytes: ").Append(Num(s.SavedOutputFreedEarlyBytes)).Append('\n');
            if (s.SkipGradientBytes != 0)
                sb.Append("    skip_gradient_bytes: ").Append(Num(s.SkipGradientBytes)).Append('\n');
            if (s.Recompute is { } r)
            {
                var keys = new List<(string, string)> { ("retained_bytes", Num(r.RetainedBytes)),
                    ("backward_transient_bytes", Num(r.BackwardTransientBytes)), ("backward_freed_bytes", Num(r.BackwardFreedBytes)) };
                if (r.InnerBackwardTransientBytes is { } ibt) keys.Add(("inner_backward_transient_bytes", Num(ibt)));
                if (r.InnerBackwardFreedBytes is { } ibf) keys.Add(("inner_backward_freed_bytes", Num(ibf)));
                sb.Append("    recompute: ").Append(Flow([.. keys])).Append('\n');
            }
            if (s.Tidy is { } t)
                sb.Append("    tidy: ").Append(Flow(("retained_bytes", Num(t.RetainedBytes)), ("forward_transient_bytes", Num(t.ForwardTransientBytes)),
                    ("backward_transient_bytes", Num(t.BackwardTransientBytes)), ("backward_freed_bytes", Num(t.BackwardFreedBytes)))).Append('\n');
            if (s.SaveMatmuls is { } m)
                sb.Append("    save_matmuls: ").Append(Flow(("kept_bytes", Num(m.KeptBytes)), ("recompute_seconds", Num(m.RecomputeSeconds)))).Append('\n');
            if (s.SubModules.Count > 0)
            {
                sb.Append("    sub_modules:\n");
                foreach (var sub in s.SubModules)
                    sb.Append("      - ").Append(Flow(("path", Str(sub.Path)), ("retained_bytes", Num(sub.RetainedBytes)), ("forward_transient_bytes", Num(sub.ForwardTransientBytes)),
                        ("backward_transient_bytes", Num(sub.BackwardTransientBytes)), ("backward_freed_bytes", Num(sub.BackwardFreedBytes)), ("recompute_seconds", Num(sub.RecomputeSeconds)))).Append('\n');
            }
            if (!s.TidyAllowed)
                sb.Append("    tidy_allowed: false\n");
            if (!s.RecomputeAllowed)
                sb.Append("    recompute_allowed: false\n");
            if (s.OutputUsedLater)
                sb.Append("    output_used_later: true\n");
        }
        if (p.Check is { } c)
        {
            var keys = new List<(string, string)> { ("forward_retained_bytes_measured", Num(c.ForwardRetainedBytesMeasured)), ("step_seconds_measured", Num(c.StepSecondsMeasured)) };
            if (c.StepSecondsSpread is { } stepSpread) keys.Add(("step_seconds_spread", Num(stepSpread)));
            if (c.StageSecondsSpread is { } stageSpread) keys.Add(("stage_seconds_spread", Num(stageSpread)));
            sb.Append("check: ").Append(Flow([.. keys])).Append('\n');
        }
        if (p.StepTime is { } st)
        {
            var keys = new List<(string, string)> { ("step_seconds", Num(st.StepSeconds)), ("recompute_segment_seconds", Num(st.RecomputeSegmentSeconds)) };
            if (st.RecomputeUnitSeconds > 0) keys.Add(("recompute_unit_seconds", Num(st.RecomputeUnitSeconds)));
            sb.Append("step_time: ").Append(Flow([.. keys])).Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>Writes a profile atomically. Throws ACKPT029 when the path cannot be written.</summary>
    public static void Write(string path, Profile profile, string? header = null) =>
        AtomicFile.WriteAllText(path, Format(profile, header));
}
