using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AutoCkpt.Examples.ResNet.Model;

/// <summary>The first stage: a 3x3 convolution from RGB to the first level's width, batch norm, ReLU, at full resolution.</summary>
public sealed class Stem : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d conv;
    private readonly BatchNorm2d bn;

    /// <summary>Maps 3 channels to <paramref name="channels"/>.</summary>
    public Stem(long channels) : base(nameof(Stem))
    {
        conv = nn.Conv2d(3, channels, 3, padding: 1, bias: false);
        bn = nn.BatchNorm2d(channels);
        RegisterComponents();
    }

    /// <summary>Maps (batch, 3, h, w) to (batch, channels, h, w).</summary>
    public override Tensor forward(Tensor x) => nn.functional.relu(bn.call(conv.call(x)));
}

/// <summary>The last stage: global average pooling and a linear classifier.</summary>
public sealed class ClassifierHead : nn.Module<Tensor, Tensor>
{
    private readonly Linear fc;

    /// <summary>Maps <paramref name="channels"/> pooled features to <paramref name="classes"/> logits.</summary>
    public ClassifierHead(long channels, long classes) : base(nameof(ClassifierHead))
    {
        fc = nn.Linear(channels, classes);
        RegisterComponents();
    }

    /// <summary>Maps (batch, channels, h, w) to logits (batch, classes).</summary>
    public override Tensor forward(Tensor x) => fc.call(x.mean([2, 3]));
}
