namespace AutoCkpt;

/// <summary>
/// Exposes a model that is not a <c>Sequential</c> (embeddings, a list of blocks iterated in <c>forward</c>, a
/// head) as an ordered list of stages. Contract: the model's <c>forward(x)</c> equals running
/// <see cref="Stages"/> one after another on <c>x</c>; every module that holds parameters belongs to a stage (a stage
/// may read a parameter that another stage owns, as a tied head reads the embedding's weight). AutoCkpt plans and
/// runs the stages, so a plan can recompute any run of consecutive stages. <c>autockpt profile</c> checks the
/// contract on the profiling batch (ACKPT035, ACKPT036, ACKPT037).
/// </summary>
public interface IStagedModel
{
    /// <summary>The stages in the order the forward runs them.</summary>
    IReadOnlyList<Stage> Stages { get; }
}
