using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AutoCkpt.Examples.ResNet.Model;

/// <summary>Builds the network as a <c>Sequential</c>: AutoCkpt plans its children (stem, each block, head) as stages.</summary>
public static class ResNetModel
{
    /// <summary>A randomly initialised network of shape <paramref name="config"/>, children named "stem", "l1b0", ..., "head".</summary>
    public static Sequential Create(ResNetConfig config)
    {
        var children = new List<(string, nn.Module<Tensor, Tensor>)> { ("stem", new Stem(config.Widths[0])) };
        long channels = config.Widths[0];
        for (int level = 0; level < config.Widths.Count; level++)
        {
            for (int b = 0; b < config.BlocksPerLevel; b++)
            {
                long stride = level > 0 && b == 0 ? 2 : 1;
                children.Add(($"l{level + 1}b{b}", new ResidualBlock(channels, config.Widths[level], stride)));
                channels = config.Widths[level];
            }
        }
        children.Add(("head", new ClassifierHead(channels, config.Classes)));
        return nn.Sequential(children);
    }
}
