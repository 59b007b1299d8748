using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace AutoCkpt.Runtime.Tests.Support;

/// <summary>A copy of everything about a model that applying a plan could change: state, modes, structure.</summary>
internal sealed class ModelSnapshot : IDisposable
{
    private readonly Dictionary<string, Tensor> _state;
    private readonly bool[] _training;
    private readonly bool[] _requiresGrad;
    private readonly string[] _modules;

    public ModelSnapshot(nn.Module model)
    {
        _state = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone().DetachFromDisposeScope());
        _training = Modules(model).Select(m => m.training).ToArray();
        _requiresGrad = model.parameters().Select(p => p.requires_grad).ToArray();
        _modules = model.named_modules().Select(m => $"{m.name}:{m.module.GetType().Name}").ToArray();
    }

    public void AssertUnchanged(nn.Module model)
    {
        var state = model.state_dict();
        Assert.Equal(_state.Keys.Order(), state.Keys.Order());
        foreach (var (name, value) in _state)
            Same.Bits(value, state[name], name);
        Assert.Equal(_training, Modules(model).Select(m => m.training));
        Assert.Equal(_requiresGrad, model.parameters().Select(p => p.requires_grad));
        Assert.Equal(_modules, model.named_modules().Select(m => $"{m.name}:{m.module.GetType().Name}"));
    }

    public void Dispose()
    {
        foreach (var t in _state.Values) t.Dispose();
    }

    private static IEnumerable<nn.Module> Modules(nn.Module model) => model.named_modules().Select(m => m.module).Prepend(model);
}
