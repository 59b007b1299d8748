using TorchSharp;

namespace AutoCkpt.Units;

/// <summary>
/// A unit of a model: a module that a plan keeps, recomputes or runs tidy as a whole, addressed by its module path
/// (<c>"layers.0"</c>, <c>"blocks.3.attn"</c>; a <c>Sequential</c>'s child <c>"0"</c>; an <see cref="IStagedModel"/>'s
/// stage name). The module is the model's own object: the runtime hooks it in place.
/// </summary>
/// <param name="Path">The module path from the model's root, as <c>named_modules()</c> spells it.</param>
/// <param name="Module">The module itself.</param>
public sealed record Unit(string Path, torch.nn.Module Module)
{
    /// <summary>The types of the module's forward inputs, in order (one to six); empty when it has no typed forward.</summary>
    public IReadOnlyList<Type> InputTypes => UnitSignature.Of(Module.GetType()).Inputs;

    /// <summary>The type its forward returns, or null when it has no typed forward.</summary>
    public Type? OutputType => UnitSignature.Of(Module.GetType()).Output;

    /// <summary>The number of forward inputs (0 when the module has no typed forward, such as a <c>ModuleList</c>).</summary>
    public int Arity => InputTypes.Count;

    /// <summary>"layers.0 (LlamaBlock)", for messages.</summary>
    public override string ToString() => $"{Path} ({Module.GetType().Name})";
}
