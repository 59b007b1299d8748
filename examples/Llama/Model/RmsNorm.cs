using TorchSharp;
using static TorchSharp.torch;

namespace AutoCkpt.Examples.Llama.Model;

/// <summary>Root-mean-square layer norm: x / sqrt(mean(x²) + eps), times a learned scale.</summary>
public sealed class RmsNorm : nn.Module<Tensor, Tensor>
{
    private readonly TorchSharp.Modules.Parameter weight;
    private readonly double eps;

    /// <summary>Creates the norm over the last dimension, of size <paramref name="width"/>.</summary>
    public RmsNorm(int width, double eps) : base(nameof(RmsNorm))
    {
        this.eps = eps;
        weight = nn.Parameter(ones(width));
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor x) => x * rsqrt(x.pow(2).mean([-1], keepdim: true) + eps) * weight;
}
