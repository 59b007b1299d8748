namespace AutoCkpt.Formats.Errors;

/// <summary>
/// Every ACKPT code AutoCkpt reports, in one place so that codes never collide. The README's error table
/// lists them; keep the two in step. Ranges: 001-019 plan files and the runtime, 020-039 profiles and the
/// profiler, 040-059 the planner, 060-079 MSBuild, 080-089 the command line and bench, 090-099 the build,
/// 100-119: units in place (the runtime's units and hooks).
/// </summary>
public static class ErrorCodes
{
    // Plan files and the runtime.
    /// <summary>The plan file does not exist.</summary>
    public const string PlanMissing = "ACKPT001";
    /// <summary>The plan file is not valid YAML, is not a regular file, is past <see cref="FileLimits"/>, or a key is missing, out of range or of the wrong type.</summary>
    public const string PlanMalformed = "ACKPT002";
    /// <summary>The plan's <c>format</c> is not one this version reads.</summary>
    public const string PlanUnknownFormat = "ACKPT003";
    /// <summary>The plan's segments overlap, leave a gap, or run past the last stage.</summary>
    public const string PlanBadSegments = "ACKPT004";
    /// <summary>The plan's model fingerprint does not match the model.</summary>
    public const string PlanFingerprintMismatch = "ACKPT005";
    /// <summary>The plan's stage count does not match the model.</summary>
    public const string PlanStageCountMismatch = "ACKPT006";
    /// <summary>Warning: the plan was made for another device type.</summary>
    public const string PlanDeviceMismatch = "ACKPT007";
    /// <summary>No units found in the model: not a Sequential, no IStagedModel, no Sequential as only child, no ModuleList of repeated blocks (name them: <c>CheckpointOptions.Units</c>).</summary>
    public const string ModelNotStaged = "ACKPT008";
    /// <summary>A plan names a strategy this version does not know.</summary>
    public const string PlanUnknownStrategy = "ACKPT009";
    /// <summary>
    /// Warning (<c>CheckpointOptions.CheckPeak</c>): the step the runtime measured under the plan peaked over the plan's
    /// memory cap; the message names the plan, the measured peak, the cap and the prediction (docs/runtime.md, "The peak check").
    /// </summary>
    public const string PeakOverCap = "ACKPT010";
    /// <summary>
    /// Warning (<c>CheckpointOptions.CheckPeak</c>): the runtime cannot read a peak here (CUDA without
    /// <c>PYTORCH_CUDA_ALLOC_CONF=backend:cudaMallocAsync</c>, no NVIDIA driver, not Linux), or the plan has no cap or
    /// no fixed bytes to compare with; the check is off for this plan.
    /// </summary>
    public const string PeakCheckUnavailable = "ACKPT011";
    /// <summary>
    /// Warning: a CUDA plan is applied in a process whose CUDA allocator is not the one the plan's profile was measured
    /// under (<c>PYTORCH_CUDA_ALLOC_CONF=backend:cudaMallocAsync</c>): libtorch's caching allocator reserves more than
    /// the tensors it holds, so the device may run out before the plan's cap (docs/runtime.md, "Launch settings").
    /// </summary>
    public const string AllocatorDiffers = "ACKPT012";
    /// <summary>
    /// Warning: the plan recomputes, but this TorchSharp lacks the internals the runtime's checkpoint memory fixes use;
    /// gradients stay correct, memory is higher than planned.
    /// </summary>
    public const string AutogradInternalsMissing = "ACKPT013";
    /// <summary>A plan unit's module path is not the model's stage name at that position.</summary>
    public const string PlanUnitPathMismatch = "ACKPT014";
    /// <summary>A no-tidy pattern (code option, <c>--no-tidy</c>, <c>AutoCkptNoTidy</c>) is empty or has a bad character.</summary>
    public const string BadNoTidyPattern = "ACKPT015";
    /// <summary>
    /// Warning: the model's first input under a plan is larger than the input its profile was measured at (another
    /// number of dimensions, or a dimension larger: batch size, sequence length), so the plan's memory may not hold.
    /// </summary>
    public const string InputLargerThanProfiled = "ACKPT016";
    /// <summary>
    /// A plan's multi-level recompute segment breaks the rules: units' <c>inner</c> keys that are not dotted numbers in
    /// order, an inner segment that is kept but not last, a last inner segment that is not kept, fewer than two inner
    /// segments, or inner segments on a kept unit.
    /// </summary>
    public const string PlanBadNesting = "ACKPT018";

    // Profiles and the profiler.
    /// <summary>The profile file does not exist.</summary>
    public const string ProfileMissing = "ACKPT020";
    /// <summary>The profile is not valid YAML, is not a regular file, is past <see cref="FileLimits"/>, or a key is missing, negative, out of range or of the wrong type.</summary>
    public const string ProfileMalformed = "ACKPT021";
    /// <summary>The profile's <c>format</c> is not one this version reads.</summary>
    public const string ProfileUnknownFormat = "ACKPT022";
    /// <summary>The user's project did not build.</summary>
    public const string ProjectBuildFailed = "ACKPT023";
    /// <summary>No ICheckpointTarget was found.</summary>
    public const string NoTarget = "ACKPT024";
    /// <summary>Several targets were found and none was chosen with --target.</summary>
    public const string AmbiguousTarget = "ACKPT025";
    /// <summary>--target names no target that was found.</summary>
    public const string UnknownTarget = "ACKPT026";
    /// <summary>CUDA was asked for but is not available.</summary>
    public const string CudaUnavailable = "ACKPT027";
    /// <summary>The device ran out of memory at this batch size.</summary>
    public const string OutOfMemory = "ACKPT028";
    /// <summary>An output path cannot be written.</summary>
    public const string OutputNotWritable = "ACKPT029";
    /// <summary>The project or assembly given does not exist (with --no-build: the project has no output in the configuration).</summary>
    public const string ProjectMissing = "ACKPT030";
    /// <summary>Warning: the profile's self-check disagrees (memory over 5% or time over 15%).</summary>
    public const string ProfileSelfCheck = "ACKPT031";
    /// <summary>The target's own code (CreateModel, CreateBatch, Loss, CreateOptimizer) threw, or the host process failed.</summary>
    public const string TargetFailed = "ACKPT032";
    /// <summary>
    /// The model's stages do not compute its forward on the profiling batch: a stage's input or output, or the model's
    /// output, differs from the forward's (work between stages, a stage missing or out of order). Names the first such stage.
    /// </summary>
    public const string StagesNotForward = "ACKPT035";
    /// <summary>The model's forward reaches a trainable parameter that no stage owns; names it.</summary>
    public const string ParameterNotOwned = "ACKPT036";
    /// <summary>The forward calls a stage's module another number of times than the stages list it (a stage listed twice, or never run).</summary>
    public const string StageCallCount = "ACKPT037";
    /// <summary>Profiling units in place: a unit ran another number of times than once in one step (a weight-shared block, or one the forward never calls through call()).</summary>
    public const string UnitCallCountInPlace = "ACKPT033";
    /// <summary>Profiling units in place: the forward ran the units in another order than they are listed.</summary>
    public const string UnitOrderInPlace = "ACKPT034";
    /// <summary>Warning: the model holds a native module (nn.TransformerEncoder, nn.TransformerDecoder, nn.Transformer) whose layers cannot be units.</summary>
    public const string NativeModuleOneUnit = "ACKPT038";
    /// <summary>Profiling from the app's own loop: the step failed (the app's code threw).</summary>
    public const string StepFailed = "ACKPT039";
    /// <summary>Profiling units in place: a unit returns something other than one tensor.</summary>
    public const string UnitOutputNotTensor = "ACKPT110";
    /// <summary>Profiling units in place: the step did not call the model exactly once through call().</summary>
    public const string StepModelCalls = "ACKPT111";
    /// <summary>A plan recomputes, or runs tidy, a keep-only entry (work between units that an in-place profile measured).</summary>
    public const string KeepOnlyPlanned = "ACKPT112";
    /// <summary>Warning, profiling from the app's own loop: no readable optimizer was given (StepProfileOptions.Optimizer), so its state is read as the growth over the first step, which misses state made when the optimizer was created.</summary>
    public const string OptimizerStateUnread = "ACKPT113";

    // The planner.
    /// <summary>No plan fits the memory cap less its headroom.</summary>
    public const string InfeasibleCap = "ACKPT040";
    /// <summary>The memory cap or the headroom has an unknown unit or is out of range.</summary>
    public const string BadCap = "ACKPT041";
    /// <summary>The solver's time limit ran out before any plan was found.</summary>
    public const string SolverNoSolution = "ACKPT042";
    /// <summary>Warning: the time limit ran out; the best plan found is kept with its gap.</summary>
    public const string SolverTimeLimit = "ACKPT043";
    /// <summary>A planner option (solver, time limit, max segment) is invalid.</summary>
    public const string BadPlannerOption = "ACKPT044";
    /// <summary>
    /// The profile's figures are beyond what the planner can plan with exactly: their byte counts sum past a 64-bit
    /// count, or their seconds sum to infinity.
    /// </summary>
    public const string ProfileOutOfRange = "ACKPT045";
    // ACKPT046 is retired, not to be reused: it warned that a multi-level plan's predicted peak had missed (+8.8%, +5.5% after a runtime fix, on
    // gpt2-deep); the cost model now has the rules it missed and gpt2-deep's plan measures within 0.1% of its prediction (docs/planner.md,
    // "Multi-level recompute").
    /// <summary>Warning: a no-tidy pattern matches no unit of the profile.</summary>
    public const string NoTidyPatternUnused = "ACKPT047";
    /// <summary>
    /// A plan recomputes a sub-module of a unit (<c>units[].recompute_only</c>) that the unit does not have, or that cannot
    /// be recomputed alone (no typed forward from a tensor to a tensor), or one the profile has no figures for (planner).
    /// </summary>
    public const string SubModuleNotFound = "ACKPT054";

    // MSBuild.
    /// <summary>An AutoCkpt MSBuild property has a bad value.</summary>
    public const string BadProperty = "ACKPT060";
    /// <summary>Warning: the profile's fingerprint differs from the model the project builds.</summary>
    public const string StaleProfile = "ACKPT061";
    /// <summary>The planner process failed in an unexpected way.</summary>
    public const string PlannerProcessFailed = "ACKPT062";
    /// <summary>The build could not remake the plan and could not delete the one an earlier build left: it is stale.</summary>
    public const string StalePlan = "ACKPT063";
    /// <summary>
    /// Warning: the project has its own plan (AutoCkptProjectPlan), but AutoCkptProfile makes the build generate the
    /// plan beside the app: the generated one is what the app reads.
    /// </summary>
    public const string ProjectPlanIgnored = "ACKPT064";

    // Command line and bench.
    /// <summary>A command-line argument is invalid.</summary>
    public const string BadArgument = "ACKPT080";
    /// <summary>Bench: a strategy did not fit the cap or gradients diverged.</summary>
    public const string BenchFailed = "ACKPT081";
    /// <summary>
    /// An unexpected failure inside the command line (a bug, not bad input): the message names the exception; the
    /// stack trace is printed only with AUTOCKPT_TRACE=1.
    /// </summary>
    public const string InternalError = "ACKPT082";
    /// <summary>
    /// <c>autockpt plan --verify</c>: no plan measured at or under its cap on the device within the rounds allowed
    /// (4), or the budget tightened by the measured miss leaves no plan that fits. No plan is written.
    /// </summary>
    public const string VerifyFailed = "ACKPT083";

    // Build.
    /// <summary>Warning: libLibTorchSharp.so could not be patched for Debian 12.</summary>
    public const string NativePatchFailed = "ACKPT090";

    // Units in place (the runtime's units and hooks).
    /// <summary>A unit pattern (<c>CheckpointOptions.Units</c>) is empty or has a bad character.</summary>
    public const string BadUnitPattern = "ACKPT100";
    /// <summary>A unit pattern matches no module of the model.</summary>
    public const string UnitPatternUnmatched = "ACKPT101";
    /// <summary>A unit's module cannot be called as a unit: it has no typed forward of one to six inputs (a ModuleList, say).</summary>
    public const string UnitNotCallable = "ACKPT102";
    /// <summary>A recomputed or tidy unit returns something other than a tensor.</summary>
    public const string UnitOutputUnsupported = "ACKPT103";
    /// <summary>A plan unit's module path is not a module of the model.</summary>
    public const string PlanUnitPathNotFound = "ACKPT104";
    /// <summary>A plan unit's path names a module that cannot be a unit any more (a container, or a forward of more than six inputs): the model changed.</summary>
    public const string PlanUnitTypeChanged = "ACKPT105";
    /// <summary>A plan is already applied to the model (remove it first: <c>Checkpointing.Remove</c>).</summary>
    public const string PlanAlreadyApplied = "ACKPT106";
    /// <summary>In a step, a planned unit did not run through <c>call()</c>, or ran more than once.</summary>
    public const string UnitFiredWrongly = "ACKPT107";
    /// <summary>A unit of a multi-unit recompute segment was not fed the previous unit's output as its first input (at the step), or takes no tensor first (at Apply).</summary>
    public const string SegmentNotChained = "ACKPT108";

    /// <summary>A plan's recompute segment continues past a unit whose output the forward uses again later (a skip).</summary>
    public const string SegmentPastUsedOutput = "ACKPT017";
    /// <summary>Two units of a plan are one module, or one is inside the other.</summary>
    public const string UnitsOverlap = "ACKPT109";
}
