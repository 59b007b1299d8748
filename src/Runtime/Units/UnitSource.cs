namespace AutoCkpt.Units;

/// <summary>Where a model's units came from (<see cref="UnitFinder.Find"/>).</summary>
public enum UnitSource
{
    /// <summary>The model is a <c>Sequential</c>: its children, paths "0", "1", ….</summary>
    Sequential,
    /// <summary>The model's only child is a <c>Sequential</c>: that Sequential's children, paths like "layers.0".</summary>
    OnlySequentialChild,
    /// <summary>The model implements <see cref="IStagedModel"/>: its stages, by stage name.</summary>
    Staged,
    /// <summary>The entries of the model's largest <c>ModuleList</c> of repeated blocks, paths like "layers.0".</summary>
    ModuleList,
    /// <summary>The outermost modules whose paths match the user's patterns (<see cref="CheckpointOptions.Units"/>).</summary>
    Patterns,
}
