using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace AccuracyTargets.Suite;

/// <summary>
/// A DenseNet-BC-like classifier with a custom forward: two dense blocks, each a <c>ModuleList</c> of bottleneck layers,
/// every layer reading the concatenation of the block's input and every earlier layer's output (a list the forward
/// keeps), a transition (BN-ReLU-1x1 conv-average pool) between the blocks. The units, named by pattern, are the dense
/// layers of both blocks: every unit's output is used by every later layer of its block, and each feature's gradient
/// is summed from the slices of several concatenations' gradients.
/// </summary>
public sealed class DenseNetTarget : SuiteTarget
{
    public const int Size = 32;
    public const int Classes = 10;
    public override string Name => "suite-densenet";
    public override int DefaultBatchSize => 16;
    public override IReadOnlyList<string> Units => ["dense1.*", "dense2.*"];

    public override nn.Module<Tensor, Tensor> CreateModel(Device device) => new DenseNet().to(device);

    public override (Tensor Input, Tensor Target) CreateBatch(Device device, int batchSize) => Images(device, batchSize, 3, Size, Classes);
}

/// <summary>stem conv, dense block, transition, dense block, BN-ReLU-global pool-Linear head.</summary>
public sealed class DenseNet : nn.Module<Tensor, Tensor>
{
    private readonly Conv2d stem;
    private readonly ModuleList<DenseLayer> dense1;
    private readonly Sequential transition;
    private readonly ModuleList<DenseLayer> dense2;
    private readonly BatchNorm2d norm;
    private readonly Linear head;

    public DenseNet(int growth = 12, int layers = 4) : base(nameof(DenseNet))
    {
        int c = 2 * growth;
        stem = nn.Conv2d(3, c, 3, padding: 1, bias: false);
        dense1 = nn.ModuleList(Enumerable.Range(0, layers).Select(i => new DenseLayer(c + i * growth, growth)).ToArray());
        c += layers * growth;
        transition = nn.Sequential(nn.BatchNorm2d(c), nn.ReLU(), nn.Conv2d(c, c / 2, 1, bias: false), nn.AvgPool2d(2));
        c /= 2;
        dense2 = nn.ModuleList(Enumerable.Range(0, layers).Select(i => new DenseLayer(c + i * growth, growth)).ToArray());
        c += layers * growth;
        norm = nn.BatchNorm2d(c);
        head = nn.Linear(c, DenseNetTarget.Classes);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        var h = Block(dense1, stem.call(x));
        h = Block(dense2, transition.call(h));
        h = nn.functional.relu(norm.call(h));
        return head.call(nn.functional.adaptive_avg_pool2d(h, 1).flatten(1));
    }

    private static Tensor Block(ModuleList<DenseLayer> layers, Tensor input)
    {
        var features = new List<Tensor> { input };
        foreach (var layer in layers) features.Add(layer.call(cat(features, 1)));
        return cat(features, 1);
    }
}

/// <summary>BN-ReLU-1x1 conv (4 x growth)-BN-ReLU-3x3 conv (growth): the new features.</summary>
public sealed class DenseLayer : nn.Module<Tensor, Tensor>
{
    private readonly BatchNorm2d bn1;
    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn2;
    private readonly Conv2d conv2;

    public DenseLayer(int inputs, int growth) : base(nameof(DenseLayer))
    {
        bn1 = nn.BatchNorm2d(inputs);
        conv1 = nn.Conv2d(inputs, 4 * growth, 1, bias: false);
        bn2 = nn.BatchNorm2d(4 * growth);
        conv2 = nn.Conv2d(4 * growth, growth, 3, padding: 1, bias: false);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) =>
        conv2.call(nn.functional.relu(bn2.call(conv1.call(nn.functional.relu(bn1.call(x))))));
}
