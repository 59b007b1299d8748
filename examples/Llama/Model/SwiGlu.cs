using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AutoCkpt.Examples.Llama.Model;

/// <summary>Llama's MLP: down(silu(gate(x)) · up(x)), without bias.</summary>
public sealed class SwiGlu : nn.Module<Tensor, Tensor>
{
    private readonly Linear gate_proj;
    private readonly Linear up_proj;
    private readonly Linear down_proj;

    /// <summary>Creates the MLP for <paramref name="config"/>.</summary>
    public SwiGlu(LlamaConfig config) : base(nameof(SwiGlu))
    {
        gate_proj = nn.Linear(config.Width, config.Hidden, hasBias: false);
        up_proj = nn.Linear(config.Width, config.Hidden, hasBias: false);
        down_proj = nn.Linear(config.Hidden, config.Width, hasBias: false);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x) => down_proj.call(nn.functional.silu(gate_proj.call(x)) * up_proj.call(x));
}
