using AutoCkpt.Formats;
using AutoCkpt.Runtime.Tests.Support;
using AutoCkpt.Units;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace AutoCkpt.Runtime.Tests.Units;

/// <summary>The finder takes the units a user expects from each kind of model, and names its choice.</summary>
public sealed class UnitFinderTests
{
    [Fact]
    public void A_sequential_gives_its_children_with_the_fingerprint_plans_carry()
    {
        var model = TestModels.Mlp(ScalarType.Float32);
        var units = UnitFinder.Find(model);
        Assert.Equal(UnitSource.Sequential, units.Source);
        Assert.Equal(["0", "1", "2", "3", "4", "5", "6", "7"], units.Paths);
        Assert.Equal(ModelStages.Fingerprint(model), units.Fingerprint);
    }

    [Fact]
    public void A_staged_model_gives_its_stages()
    {
        var model = new TinyGpt();
        var units = UnitFinder.Find(model);
        Assert.Equal(UnitSource.Staged, units.Source);
        Assert.Equal(ModelStages.Of(model).Select(s => s.Name), units.Paths);
        Assert.Equal(ModelStages.Fingerprint(model), units.Fingerprint);
    }

    [Fact]
    public void A_model_whose_only_child_is_a_sequential_gives_that_sequentials_children()
    {
        var model = new OnlyChild();
        var units = UnitFinder.Find(model);
        Assert.Equal(UnitSource.OnlySequentialChild, units.Source);
        Assert.Equal(["features.0", "features.1", "features.2"], units.Paths);
        Assert.Contains("'features'", units.Description);
    }

    [Theory]
    [InlineData(BlockInputs.Rotary, 3)]
    [InlineData(BlockInputs.Mask, 2)]
    public void A_llama_style_model_gives_the_entries_of_its_block_list(BlockInputs inputs, int arity)
    {
        var model = new LlamaLike(inputs, blocks: 3);
        var units = UnitFinder.Find(model);
        Assert.Equal(UnitSource.ModuleList, units.Source);
        Assert.Equal(["layers.0", "layers.1", "layers.2"], units.Paths);
        Assert.All(units.Units, u => Assert.Equal(arity, u.Arity));
        Assert.Same(model.Blocks[1], units.Units[1].Module);
        Assert.Contains("ModuleList 'layers'", units.Description);
    }

    [Fact]
    public void Patterns_take_the_outermost_matching_modules_in_module_tree_order()
    {
        var model = new LlamaLike(BlockInputs.Rotary, blocks: 2);
        var units = UnitFinder.Find(model, ["layers.*.layers.qkv", "layers.1"]);
        Assert.Equal(UnitSource.Patterns, units.Source);
        Assert.Equal(["layers.0.layers.qkv", "layers.1"], units.Paths);
    }

    [Fact]
    public void A_pattern_that_matches_nothing_is_ACKPT101_naming_it()
    {
        var e = Assert.Throws<AckptException>(() => UnitFinder.Find(new LlamaLike(BlockInputs.Rotary), ["blocks.*"], "x.plan.yaml"));
        Assert.Equal(ErrorCodes.UnitPatternUnmatched, e.Code);
        Assert.Contains("'blocks.*'", e.Message);
        Assert.Contains("layers.0", e.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("layers.0?")]
    [InlineData("a,,b")]
    public void A_bad_pattern_is_ACKPT100(string pattern)
    {
        var e = Assert.Throws<AckptException>(() => UnitFinder.Find(new LlamaLike(BlockInputs.Rotary), [pattern]));
        Assert.Equal(ErrorCodes.BadUnitPattern, e.Code);
        Assert.Contains("unit pattern", e.Message);
    }

    [Fact]
    public void A_container_named_as_a_unit_is_ACKPT102()
    {
        var e = Assert.Throws<AckptException>(() => UnitFinder.Find(new LlamaLike(BlockInputs.Rotary), ["layers"]));
        Assert.Equal(ErrorCodes.UnitNotCallable, e.Code);
        Assert.Contains("'layers'", e.Message);
    }

    [Fact]
    public void A_model_with_no_units_is_ACKPT008_saying_how_to_name_them()
    {
        var e = Assert.Throws<AckptException>(() => UnitFinder.Find(new NoUnits()));
        Assert.Equal(ErrorCodes.ModelNotStaged, e.Code);
        Assert.Contains("CheckpointOptions.Units", e.Message);
    }

    [Fact]
    public void A_module_registered_twice_is_listed_once_under_its_first_path()
    {
        var model = new NoUnits();
        var paths = UnitFinder.NamedModules(model).Select(m => m.Path).ToList();
        Assert.Equal(["a", "b"], paths);
    }

    private sealed class OnlyChild : nn.Module<Tensor, Tensor>
    {
        private readonly TorchSharp.Modules.Sequential features = nn.Sequential(nn.Linear(4, 4), nn.ReLU(), nn.Linear(4, 2));

        public OnlyChild() : base(nameof(OnlyChild)) => RegisterComponents();

        public override Tensor forward(Tensor x) => features.call(x);
    }

    /// <summary>Two children, one module registered under both names: no units to find.</summary>
    private sealed class NoUnits : nn.Module<Tensor, Tensor>
    {
        private readonly TorchSharp.Modules.Linear a = nn.Linear(4, 4);
        private readonly TorchSharp.Modules.Linear b = nn.Linear(4, 4);

        public NoUnits() : base(nameof(NoUnits))
        {
            RegisterComponents();
            register_module("again", a);
        }

        public override Tensor forward(Tensor x) => b.call(a.call(x));
    }
}
