using TorchSharp;
using static TorchSharp.torch;

namespace AutoCkpt.Recompute;

/// <summary>
/// Copies of a segment's module buffers (e.g. BatchNorm running statistics) taken before a recompute and copied back
/// after it, so that buffers are updated once per step, by the forward, and not again by the recompute.
/// </summary>
internal sealed class BufferSnapshot : IDisposable
{
    private readonly (Tensor Buffer, Tensor Copy)[] _pairs;

    private BufferSnapshot((Tensor, Tensor)[] pairs) => _pairs = pairs;

    public static BufferSnapshot Take(IReadOnlyList<Tensor> buffers)
    {
        var pairs = new (Tensor, Tensor)[buffers.Count];
        using (torch.no_grad())
        {
            for (int i = 0; i < buffers.Count; i++)
                pairs[i] = (buffers[i], buffers[i].clone().DetachFromDisposeScope());
        }
        return new BufferSnapshot(pairs);
    }

    /// <summary>Copies the saved values back into the buffers, in place.</summary>
    public void Restore()
    {
        using (torch.no_grad())
        {
            foreach (var (buffer, copy) in _pairs)
                buffer.copy_(copy);
        }
    }

    public void Dispose()
    {
        foreach (var (_, copy) in _pairs)
            copy.Dispose();
    }
}
