using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AccuracyTargets.Suite;

/// <summary>
/// A WaveNet/TCN-like stack with a custom forward: a causal input conv, a <c>ModuleList</c> of dilated causal Conv1d
/// blocks with gated activations (<c>tanh(f) * sigmoid(g)</c>), each returning its residual output (the units, found in
/// place); the model's loop adds each block's skip contribution, a 1x1 conv of the block's output kept in a
/// <c>ModuleDict</c>, to a running sum right after the block, and the head classifies every time step from the sum.
/// Memory: left padding copies per block, the gate's two halves and their product, the skip sum alive across the stack.
/// </summary>
public sealed class WaveNetTarget : SuiteTarget
{
    public const int Channels = 8;
    public const int Steps = 1024;
    public const int Classes = 16;
    public override string Name => "suite-wavenet";
    public override int DefaultBatchSize => 2;

    public override nn.Module<Tensor, Tensor> CreateModel(Device device) => new WaveNet().to(device);

    public override (Tensor Input, Tensor Target) CreateBatch(Device device, int batchSize) =>
        (randn(batchSize, Channels, Steps, device: device), randint(0, Classes, [batchSize, Steps], dtype: int64, device: device));
}

/// <summary>input conv, blocks with dilations 1..128, skip sum, ReLU-conv-ReLU-conv head.</summary>
public sealed class WaveNet : nn.Module<Tensor, Tensor>
{
    private readonly Conv1d input;
    private readonly ModuleList<GatedResidualBlock> blocks;
    private readonly ModuleDict<Conv1d> skips;
    private readonly Conv1d headIn;
    private readonly Conv1d headOut;

    public WaveNet(int residual = 32, int skip = 64, int depth = 8) : base(nameof(WaveNet))
    {
        input = nn.Conv1d(WaveNetTarget.Channels, residual, 1);
        blocks = nn.ModuleList(Enumerable.Range(0, depth).Select(i => new GatedResidualBlock(residual, 2, 1 << i)).ToArray());
        skips = nn.ModuleDict(Enumerable.Range(0, depth).Select(i => ($"b{i}", nn.Conv1d(residual, skip, 1))).ToArray());
        headIn = nn.Conv1d(skip, skip, 1);
        headOut = nn.Conv1d(skip, WaveNetTarget.Classes, 1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor signal)
    {
        var x = input.call(signal);
        Tensor? sum = null;
        for (int i = 0; i < blocks.Count; i++)
        {
            x = blocks[i].call(x);
            var s = skips[$"b{i}"].call(x);
            sum = sum is null ? s : sum + s;
        }
        var h = nn.functional.relu(headIn.call(nn.functional.relu(sum!)));
        return headOut.call(h);
    }
}

/// <summary>x + res(tanh(filter(pad(x))) * sigmoid(gate(pad(x)))), the pad on the left: causal.</summary>
public sealed class GatedResidualBlock : nn.Module<Tensor, Tensor>
{
    private readonly long padding;
    private readonly Conv1d filter;
    private readonly Conv1d gate;
    private readonly Conv1d res;

    public GatedResidualBlock(int channels, int kernel, int dilation) : base(nameof(GatedResidualBlock))
    {
        padding = (kernel - 1) * dilation;
        filter = nn.Conv1d(channels, channels, kernel, dilation: dilation);
        gate = nn.Conv1d(channels, channels, kernel, dilation: dilation);
        res = nn.Conv1d(channels, channels, 1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var padded = nn.functional.pad(x, [padding, 0]);
        var z = tanh(filter.call(padded)) * sigmoid(gate.call(padded));
        return x + res.call(z);
    }
}
