namespace AutoCkpt.Formats.Profiles;

/// <summary>Memory that no checkpointing can remove, in bytes.</summary>
public sealed record FixedBytes(long Parameters, long Gradients, long OptimizerState, long Batch)
{
    /// <summary>The sum of all fixed memory, in bytes.</summary>
    public long Total => Parameters + Gradients + OptimizerState + Batch;
}

/// <summary>What one stage costs, measured on the device with the real batch. Bytes and seconds.</summary>
/// <param name="Name">The stage's name, e.g. "blocks.0".</param>
/// <param name="ForwardSeconds">Median forward time.</param>
/// <param name="BackwardSeconds">Median backward time.</param>
/// <param name="OutputBytes">Bytes of the stage's output tensor.</param>
/// <param name="RetainedBytes">Growth of live memory when the stage runs with autograd: what autograd keeps, output included.</param>
/// <param name="ForwardTransientBytes">Peak above retained during the forward.</param>
/// <param name="BackwardTransientBytes">Peak above steady state during the backward.</param>
public sealed record StageProfile(
    string Name,
    double ForwardSeconds,
    double BackwardSeconds,
    long OutputBytes,
    long RetainedBytes,
    long ForwardTransientBytes,
    long BackwardTransientBytes)
{
    /// <summary>
    /// Optional key <c>backward_freed_bytes</c>: live bytes just before the stage's backward minus live bytes just
    /// after it (what autograd releases, net of the input gradient it creates). May be negative. Default 0.
    /// </summary>
    public long BackwardFreedBytes { get; init; }

    /// <summary>
    /// Optional key <c>input_freed_bytes</c>: live bytes freed when the stage's input handle is disposed right after its
    /// forward, as the runtime's stage chain does; its input's bytes when the stage's autograd does not keep its input,
    /// else 0. Always 0 for the first stage (the batch is never disposed). Default 0.
    /// </summary>
    public long InputFreedBytes { get; init; }

    /// <summary>
    /// Optional key <c>input_held_bytes</c>: bytes of the stage's input that the model's own forward keeps a handle on
    /// to the end of the step (a forward that loops <c>x = block.call(x)</c> over a <c>ModuleList</c> never disposes the
    /// earlier <c>x</c>; a <c>Sequential</c> disposes it once the next module returned). Such an input is freed neither
    /// when the stage's input handle goes nor in the stage's backward. Always 0 for the first stage. Default 0 (what
    /// profiles without the key mean: the runtime's chain disposes every stage's input).
    /// </summary>
    public long InputHeldBytes { get; init; }

    /// <summary>
    /// Optional key <c>saved_output_bytes</c>: bytes of the stage's output that the stage's own autograd saves for its
    /// backward (libtorch's LSTM saves its output). A kept stage then holds its output to the end of its own backward,
    /// whatever the next stage does with it. Default 0.
    /// </summary>
    public long SavedOutputBytes { get; init; }

    /// <summary>
    /// Optional key <c>saved_output_freed_early_bytes</c>: how much lower the stage's backward peak reads when only its own
    /// autograd holds its output (the part of <see cref="SavedOutputBytes"/> that its backward frees before its peak: a
    /// ReLU that ends the stage frees its saved output in the backward's first operation; an LSTM holds it through its
    /// one large operation). From 0 to <see cref="SavedOutputBytes"/>. Default 0.
    /// </summary>
    public long SavedOutputFreedEarlyBytes { get; init; }

    /// <summary>
    /// Optional key <c>recompute</c>: the stage's figures when it runs inside a recompute segment's backward, or null
    /// when the profile has none (then the plain figures stand in for them).
    /// </summary>
    public RecomputeFigures? Recompute { get; init; }

    /// <summary>
    /// Optional key <c>tidy</c>: the stage's figures when it is kept and runs tidy (every handle it made but its output
    /// disposed as it returns; the last stage measured through the loss, as its plain figures), or null when the
    /// profile has none (then the planner derives them from <see cref="Recompute"/>, docs/cost-model.md).
    /// </summary>
    public TidyFigures? Tidy { get; init; }

    /// <summary>
    /// Optional key <c>save_matmuls</c>: the stage's figures when it is recomputed alone keeping its <c>Linear</c>
    /// layers' outputs (docs/selective.md), or null when the profile has none (then the planner does not offer it).
    /// </summary>
    public SaveMatmulsFigures? SaveMatmuls { get; init; }

    /// <summary>
    /// Optional key <c>sub_modules</c>: per sub-module of the stage that can be recomputed alone (docs/selective.md,
    /// "Recompute a sub-module"), the stage's figures when it is kept with that sub-module recomputed; empty when the
    /// profile has none (then the planner does not offer the option).
    /// </summary>
    public IReadOnlyList<SubModuleFigures> SubModules { get; init; } = [];

    /// <summary>
    /// Optional key <c>tidy_allowed</c> (default true): false when the unit is opted out of tidy in code
    /// (<c>[NoTidy]</c> on its module or a module under it, or the target's <c>NoTidy</c> patterns), so the planner never
    /// counts on its tidy memory.
    /// </summary>
    public bool TidyAllowed { get; init; } = true;

    /// <summary>
    /// Optional key <c>recompute_allowed</c> (default true): false for a unit the runtime cannot recompute, e.g. code
    /// between the model's units (an embedding lookup, a head, a loss) that the profiler records as a keep-only unit. The
    /// planner never recomputes it, and no recompute segment spans it.
    /// </summary>
    public bool RecomputeAllowed { get; init; } = true;

    /// <summary>
    /// Optional key <c>output_used_later</c> (default false): true when the model's forward uses the unit's output
    /// again after the next unit has taken it (a U-Net's or DenseNet's skip, an output kept in a list and read later, a
    /// view taken of it), found by the in-place profiler (docs/profiler.md, "Outputs used later"). Inside a multi-unit
    /// recompute segment a unit's output is made without autograd and freed when the segment ends, so no recompute
    /// segment continues past such a unit: it may end one, or be recomputed alone.
    /// </summary>
    public bool OutputUsedLater { get; init; }

    /// <summary>
    /// Optional key <c>skip_gradient_bytes</c> (default 0): where the previous unit's output is used later
    /// (<see cref="OutputUsedLater"/>), the bytes freed when the input gradient this unit's backward makes is added to the
    /// gradient that later use made already. That gradient is often a view of the later use's whole input gradient (a
    /// <c>cat</c>'s), which stays live until then. Measured in the real step (docs/cost-model.md, "Skip gradients").
    /// </summary>
    public long SkipGradientBytes { get; init; }
}

/// <summary>
/// What a kept stage costs when it runs tidy (docs/cost-model.md, "Tidy kept stages"): as the plain figures, but with
/// every handle the stage made except its output disposed as soon as it returns. Bytes.
/// </summary>
/// <param name="RetainedBytes">Live growth over the forward after the disposal: what autograd saved, output included.</param>
/// <param name="ForwardTransientBytes">Peak during the forward above live after it (the disposed handles count here).</param>
/// <param name="BackwardTransientBytes">Peak during the backward above live just before it.</param>
/// <param name="BackwardFreedBytes">Live just before the backward minus just after. May be negative.</param>
public sealed record TidyFigures(long RetainedBytes, long ForwardTransientBytes, long BackwardTransientBytes, long BackwardFreedBytes);

/// <summary>
/// What a stage costs when a recompute segment re-runs it (docs/cost-model.md): the runtime re-runs it with autograd
/// and disposes every handle the stage made except its output, so only what autograd saved stays; then
/// backpropagates with <c>autograd.grad</c> on a leaf copy of the saved input. Bytes.
/// </summary>
/// <param name="RetainedBytes">Live growth over the re-run: what autograd saved, output included (S_i ≤ R_i).</param>
/// <param name="BackwardTransientBytes">Peak during the backward above live just before it (output gradient held).</param>
/// <param name="BackwardFreedBytes">Live just before the backward minus just after (saved tensors released, net of the input and parameter gradients made). May be negative.</param>
public sealed record RecomputeFigures(long RetainedBytes, long BackwardTransientBytes, long BackwardFreedBytes)
{
    /// <summary>
    /// The backward as an inner stage of a multi-unit segment runs it (docs/cost-model.md, "Inner stages of a multi-unit
    /// recompute segment"): no handle on its output and its output gradient made and consumed inside the backward, so
    /// both may go in its first operations. The peak above live before it counted as <see cref="BackwardTransientBytes"/>
    /// counts it (output and output gradient live). May be negative. Null in profiles older than the key: the
    /// last-stage figures stand in.
    /// </summary>
    public long? InnerBackwardTransientBytes { get; init; }

    /// <summary>
    /// Live before the inner stage's backward, counted so (output and output gradient live), minus live after it. Null
    /// in older profiles.
    /// </summary>
    public long? InnerBackwardFreedBytes { get; init; }
}

/// <summary>
/// What a stage costs recomputed save-matmuls (docs/selective.md): its first forward keeps the outputs of its
/// <c>Linear</c> layers besides its output, and the recompute skips those matmuls. Bytes and seconds; the other figures
/// are the stage's recompute ones.
/// </summary>
/// <param name="KeptBytes">Bytes of the <c>Linear</c> outputs kept from the forward to the recompute.</param>
/// <param name="RecomputeSeconds">The recompute's forward with autograd, the matmuls skipped.</param>
public sealed record SaveMatmulsFigures(long KeptBytes, double RecomputeSeconds);

/// <summary>
/// What a stage costs kept with one sub-module recomputed (docs/selective.md, "Recompute a sub-module"): the sub-module's
/// graph is freed after its forward and rebuilt in the backward. Measured on the stage as it runs, tidy where the
/// stage may run tidy (then its <see cref="StageProfile.Tidy"/> figures are the ones replaced). Bytes and seconds.
/// </summary>
/// <param name="Path">The sub-module's path relative to the stage, e.g. "attn" or "attn.core".</param>
/// <param name="RetainedBytes">Live growth over the stage's forward: what it keeps for its backward, output included.</param>
/// <param name="ForwardTransientBytes">Peak during the forward above live after it.</param>
/// <param name="BackwardTransientBytes">Peak during the backward above live just before it (the sub-module's recompute included).</param>
/// <param name="BackwardFreedBytes">Live just before the backward minus just after. May be negative.</param>
/// <param name="RecomputeSeconds">The sub-module's forward with autograd, as it runs inside the stage: the recompute's cost.</param>
public sealed record SubModuleFigures(string Path, long RetainedBytes, long ForwardTransientBytes, long BackwardTransientBytes, long BackwardFreedBytes, double RecomputeSeconds);

/// <summary>The profiler's self-check: whole-model measurements to compare with the stage sums.</summary>
/// <param name="ForwardRetainedBytesMeasured">Live bytes after one whole forward, less what was live before.</param>
/// <param name="StepSecondsMeasured">One whole measured training step.</param>
public sealed record ProfileCheck(long ForwardRetainedBytesMeasured, double StepSecondsMeasured)
{
    /// <summary>
    /// The timing noise of the whole steps measured: the largest less the smallest, in seconds (<c>step_seconds_spread</c>);
    /// null in profiles written before it.
    /// </summary>
    public double? StepSecondsSpread { get; init; }

    /// <summary>
    /// The timing noise of the stages: Σ over stages of (largest − smallest) forward and backward seconds over the
    /// repeats, in seconds (<c>stage_seconds_spread</c>); null in profiles written before it.
    /// </summary>
    public double? StageSecondsSpread { get; init; }
}

/// <summary>
/// The step's time as the runtime runs it (optional key <c>step_time</c>; docs/cost-model.md, "Step time"): measured in
/// whole training steps of the real model, not summed from the stages' isolated passes. Seconds.
/// </summary>
/// <param name="StepSeconds">
/// One whole step with no plan (forward, loss, backward and the step scope's disposal; no optimizer step): the median of
/// the calibration's plain steps. The cost model takes it as the step's base and scales the stages' times to it.
/// </param>
/// <param name="RecomputeSegmentSeconds">
/// What each recompute segment costs beyond its units' forward time (the runtime's bookkeeping: saving the inputs and
/// the random state, the autograd function, <c>autograd.grad</c> over the parameters, buffer copies, gradients added into
/// <c>.grad</c>): (every-unit step − plain step − the units' scaled forward time) / segments, medians of paired steps,
/// at least 0. Since the per-unit cost (below), the part of a segment's cost that is paid once per segment, whatever
/// its units: from two calibration plans, every unit alone and every run of units in one segment.
/// </param>
/// <param name="RecomputeUnitSeconds">
/// Optional key <c>recompute_unit_seconds</c> (0 when absent, as in profiles written before it): what each unit of a
/// recompute segment costs beyond its forward time (the runtime re-runs each unit through its hooks in a dispose scope
/// of its own, and disposes its first forward unit by unit), so that a long segment of cheap units pays more than one
/// segment's cost. Measured beside <paramref name="RecomputeSegmentSeconds"/>, at least 0.
/// </param>
public sealed record StepTimeFigures(double StepSeconds, double RecomputeSegmentSeconds, double RecomputeUnitSeconds = 0);

/// <summary>A profile file, format <c>autockpt-profile/1</c>. Validated when read.</summary>
public sealed record Profile
{
    /// <summary>The format tag this version writes and reads.</summary>
    public const string FormatTag = "autockpt-profile/1";

    /// <summary>Always <see cref="FormatTag"/>.</summary>
    public string Format { get; init; } = FormatTag;
    /// <summary>The ICheckpointTarget's name.</summary>
    public required string Target { get; init; }
    /// <summary>The model's fingerprint and stage count.</summary>
    public required ModelInfo Model { get; init; }
    /// <summary>The device measured on.</summary>
    public required DeviceInfo Device { get; init; }
    /// <summary>The element type, e.g. "float32".</summary>
    public string Dtype { get; init; } = "float32";
    /// <summary>The batch size measured with.</summary>
    public required int BatchSize { get; init; }
    /// <summary>Memory that no checkpointing removes.</summary>
    public required FixedBytes FixedBytes { get; init; }
    /// <summary>One entry per stage, in order.</summary>
    public required IReadOnlyList<StageProfile> Stages { get; init; }
    /// <summary>The self-check, or null when the file has none.</summary>
    public ProfileCheck? Check { get; init; }
    /// <summary>
    /// The shape of the input tensor the profile was measured at, batch first (<c>input_shape: 64x128</c>); empty in
    /// profiles written before it was recorded. A larger input at run time warns (ACKPT016).
    /// </summary>
    public IReadOnlyList<long> InputShape { get; init; } = [];
    /// <summary>
    /// The step's time measured in whole steps with and without recompute (<c>step_time</c>), or null in profiles
    /// written before it or by a profiler that does not measure it (then the stages' sums stand in, with no cost per segment).
    /// </summary>
    public StepTimeFigures? StepTime { get; init; }
}
