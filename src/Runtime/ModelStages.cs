using System.Security.Cryptography;
using System.Text;
using AutoCkpt.Formats.Errors;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoCkpt;

/// <summary>Finds a model's stages and fingerprints them.</summary>
public static class ModelStages
{
    /// <summary>
    /// The stages of <paramref name="model"/>: the children of a <c>Sequential</c> in order, or
    /// <see cref="IStagedModel.Stages"/>. Throws <see cref="AckptException"/> (ACKPT008) for any other model, naming
    /// <paramref name="file"/> (the plan being applied, the project being profiled) when given.
    /// </summary>
    public static IReadOnlyList<Stage> Of(nn.Module model, string? file = null)
    {
        switch (model)
        {
            case IStagedModel staged:
                return staged.Stages;
            case TorchSharp.Modules.Sequential seq:
                var stages = new List<Stage>();
                foreach (var (name, child) in seq.named_children())
                {
                    if (child is not nn.Module<Tensor, Tensor> m)
                        throw new AckptException(ErrorCodes.ModelNotStaged, $"stage '{name}' ({child.GetType().Name}) is not a Module<Tensor, Tensor>.", file);
                    stages.Add(new Stage(name, m));
                }
                return stages;
            default:
                throw new AckptException(ErrorCodes.ModelNotStaged,
                    $"model {model.GetType().FullName} is neither a Sequential nor implements AutoCkpt.IStagedModel: expose its stages through IStagedModel.", file);
        }
    }

    /// <summary>
    /// "sha256:&lt;hex&gt;" over each stage's name, module type and parameter names and shapes, in order. Two models
    /// with the same structure and shapes share a fingerprint whatever their weights.
    /// </summary>
    public static string Fingerprint(IReadOnlyList<Stage> stages)
    {
        var sb = new StringBuilder();
        foreach (var stage in stages)
        {
            sb.Append(stage.Name).Append('|').Append(stage.Module.GetType().FullName).Append('\n');
            foreach (var (name, p) in stage.Module.named_parameters())
                sb.Append("  ").Append(name).Append(':').Append(string.Join('x', p.shape)).Append('\n');
        }
        return "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())));
    }

    /// <summary>The fingerprint of <paramref name="model"/>'s stages.</summary>
    public static string Fingerprint(nn.Module model) => Fingerprint(Of(model));
}
