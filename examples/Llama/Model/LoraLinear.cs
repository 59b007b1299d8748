using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AutoCkpt.Examples.Llama.Model;

/// <summary>
/// A linear layer with a low-rank adapter, as LoRA adds one: base(x) + (alpha / rank) · B(A(x)), with B zero at the
/// start so the adapted layer begins as the base. A fine-tune freezes the base and trains A and B.
/// </summary>
public sealed class LoraLinear : nn.Module<Tensor, Tensor>
{
    private readonly Linear @base;
    private readonly Linear lora_a;
    private readonly Linear lora_b;
    private readonly double scale;

    /// <summary>Creates the layer, <paramref name="inputs"/> to <paramref name="outputs"/>, with an adapter of <paramref name="rank"/>.</summary>
    public LoraLinear(int inputs, int outputs, int rank, double alpha) : base(nameof(LoraLinear))
    {
        @base = nn.Linear(inputs, outputs, hasBias: false);
        lora_a = nn.Linear(inputs, rank, hasBias: false);
        lora_b = nn.Linear(rank, outputs, hasBias: false);
        using (no_grad()) lora_b.weight!.zero_();
        scale = alpha / rank;
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x) => @base.call(x) + lora_b.call(lora_a.call(x)) * scale;
}
