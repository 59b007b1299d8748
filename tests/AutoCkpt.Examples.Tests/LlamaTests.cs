using AutoCkpt.Examples.Llama;
using AutoCkpt.Examples.Llama.Model;
using TorchSharp;
using Xunit;

namespace AutoCkpt.Examples.Tests;

public sealed class LlamaTests
{
    [Fact]
    public void Given_the_tiny_llama_When_it_trains_ten_steps_Then_its_loss_falls_by_a_fifth()
    {
        var target = new LlamaTiny();
        using var model = target.CreateModel(torch.CPU);
        var losses = Training.Run(target, model, 10);
        Assert.True(losses[^2..].Average() < 0.8 * losses[0], $"losses: {string.Join(", ", losses.Select(l => l.ToString("0.000")))}");
    }

    [Fact]
    public void Given_the_llama_model_When_its_parameters_are_listed_Then_the_head_is_the_embedding_and_is_listed_once()
    {
        using var model = new LlamaModel(LlamaConfig.Tiny);
        var names = model.named_parameters().Select(p => p.name).ToList();
        Assert.Single(names, n => n == "embed_tokens.weight");
        Assert.DoesNotContain(names, n => n.Contains("head", StringComparison.Ordinal) || n.Contains("lm_", StringComparison.Ordinal));
        Assert.Equal(6, model.named_children().Single(c => c.name == "layers").module.children().Count());
        Assert.IsNotAssignableFrom<IStagedModel>(model);
    }

    [Fact]
    public void Given_the_lora_llama_When_it_trains_a_step_Then_only_the_adapters_change_and_the_blocks_input_needs_no_grad()
    {
        var target = new LlamaLoraTiny();
        using var model = target.CreateModel(torch.CPU);
        var trainable = model.named_parameters().Where(p => p.parameter.requires_grad).Select(p => p.name).ToList();
        Assert.Equal(2 * 2 * 6, trainable.Count); // lora_a and lora_b on q and v, in 6 blocks
        Assert.All(trainable, n => Assert.Matches(@"^layers\.\d\.self_attn\.[qv]_proj\.lora_[ab]\.weight$", n));
        var before = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone());

        using (var scope = torch.NewDisposeScope())
        {
            var (x, _) = target.CreateBatch(torch.CPU, 2);
            var embedded = model.named_children().Single(c => c.name == "embed_tokens").module as torch.nn.Module<torch.Tensor, torch.Tensor>;
            Assert.False(embedded!.call(x).requires_grad);
        }
        Training.Run(target, model, 2);

        foreach (var (name, parameter) in model.named_parameters())
        {
            bool changed = !parameter.equal(before[name]).all().item<bool>();
            Assert.True(changed == (name.Contains("lora_", StringComparison.Ordinal)), $"{name}: changed {changed}");
        }
        foreach (var t in before.Values) t.Dispose();
    }

    [Fact]
    public void Given_the_presets_When_the_gpu_ones_are_read_Then_they_have_tinyllama_shapes()
    {
        Assert.Equal((22, 32, 2048, 5632, 32000), (LlamaConfig.OneB.Layers, LlamaConfig.OneB.Heads, LlamaConfig.OneB.Width, LlamaConfig.OneB.Hidden, LlamaConfig.OneB.VocabSize));
        Assert.Equal(16, new LlamaLora1B().Config.LoraRank);
    }
}
