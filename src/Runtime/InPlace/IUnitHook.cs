namespace AutoCkpt.InPlace;

/// <summary>What a hooked module does around its own forward: called from its forward pre- and post-hooks.</summary>
internal interface IUnitHook
{
    /// <summary>
    /// Before the module's forward, with its inputs (as its other pre-hooks left them). Returns the inputs the forward
    /// is to get instead, or null to leave them.
    /// </summary>
    object?[]? Before(object?[] inputs);

    /// <summary>After the module's forward: returns the output to use instead of <paramref name="output"/>, or <paramref name="output"/> itself.</summary>
    object? After(object?[] inputs, object? output);
}
