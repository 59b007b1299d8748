using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AutoCkpt.Examples.ResNet.Model;

/// <summary>A basic residual block: two 3x3 convolutions with batch norm, and a 1x1 projection when the shape changes.</summary>
public sealed class ResidualBlock : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn1;
    private readonly Conv2d conv2;
    private readonly BatchNorm2d bn2;
    private readonly Conv2d? shortcutConv;
    private readonly BatchNorm2d? shortcutBn;

    /// <summary>Maps <paramref name="inChannels"/> to <paramref name="outChannels"/>, downsampling by <paramref name="stride"/>.</summary>
    public ResidualBlock(long inChannels, long outChannels, long stride) : base(nameof(ResidualBlock))
    {
        conv1 = nn.Conv2d(inChannels, outChannels, 3, stride: stride, padding: 1, bias: false);
        bn1 = nn.BatchNorm2d(outChannels);
        conv2 = nn.Conv2d(outChannels, outChannels, 3, padding: 1, bias: false);
        bn2 = nn.BatchNorm2d(outChannels);
        if (stride != 1 || inChannels != outChannels)
        {
            shortcutConv = nn.Conv2d(inChannels, outChannels, 1, stride: stride, bias: false);
            shortcutBn = nn.BatchNorm2d(outChannels);
        }
        RegisterComponents();
    }

    /// <summary>Maps (batch, in, h, w) to (batch, out, h/stride, w/stride).</summary>
    public override Tensor forward(Tensor x)
    {
        var y = nn.functional.relu(bn1.call(conv1.call(x)));
        y = bn2.call(conv2.call(y));
        var shortcut = shortcutConv is null ? x : shortcutBn!.call(shortcutConv.call(x));
        return nn.functional.relu(y + shortcut);
    }
}
