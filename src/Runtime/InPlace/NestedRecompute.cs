using AutoCkpt.Formats.Plans;
using AutoCkpt.Recompute;
using TorchSharp;
using static TorchSharp.torch;

namespace AutoCkpt.InPlace;

/// <summary>
/// The backward of a multi-level recompute segment (<see cref="Segment.Inner"/>; docs/runtime.md, "Multi-level
/// recompute"), inside <see cref="GroupCall"/>'s backward: from the segment's saved inputs, every inner segment but the
/// last runs without autograd, its output kept as a checkpoint (and the random state at its start); the last runs with
/// autograd and is backpropagated from the output's gradient; then each earlier inner segment is recomputed from its
/// checkpoint in the same way (flat, or nested again) and backpropagated from the gradient the later one gave its
/// output. One backward, no autograd function inside another: the levels are a loop here, so the depth costs no
/// reentrant backward. Each unit runs with autograd exactly once, so each parameter's gradient comes from one
/// <c>autograd.grad</c> call, the same numbers as the plain model's on the CPU; gradients of a tensor several units use
/// are summed; a parameter's go into its <c>.grad</c> as each call gives them, as autograd's accumulation does, in
/// every backward, the group's first included (held to the segment's end, each level's sat beside the levels still to
/// do: one unit's parameters more per level).
/// </summary>
internal sealed class NestedRecompute
{
    private readonly IReadOnlyList<Units.Unit> _units;
    private readonly int _first;
    private readonly object?[][] _inputs;
    private readonly int[][] _slots;
    private readonly Tensor[] _leaves;
    private readonly bool[] _leafGrad;
    private readonly Tensor[] _parameters;
    private readonly Action _cloneLearned;
    private bool _clone;
    private readonly Tensor?[] _leafSums;

    /// <param name="units">The segment's units.</param>
    /// <param name="first">The segment's first stage (the plan's indices are the model's).</param>
    /// <param name="inputs">Per unit, its inputs (<see cref="GroupCall"/>'s: a saved tensor's slot, a chained input, or the value).</param>
    /// <param name="slots">Per unit and input: the saved tensor's index, <see cref="GroupCall.Chained"/> or <see cref="GroupCall.NotTensor"/>.</param>
    /// <param name="leaves">The saved tensors, detached, those whose gradient is wanted requiring it.</param>
    /// <param name="leafGrad">Per saved tensor: its gradient is wanted.</param>
    /// <param name="parameters">The parameters differentiated.</param>
    /// <param name="clone">Units change their first input in place: feed them copies.</param>
    /// <param name="cloneLearned">Called when a piece's recompute finds, without <paramref name="clone"/>, that a unit
    /// changes its input in place (the piece then runs again from copies, and so does every later one).</param>
    public NestedRecompute(IReadOnlyList<Units.Unit> units, int first, object?[][] inputs, int[][] slots, Tensor[] leaves, bool[] leafGrad, Tensor[] parameters, bool clone, Action cloneLearned)
    {
        _cloneLearned = cloneLearned;
        _units = units;
        _first = first;
        _inputs = inputs;
        _slots = slots;
        _leaves = leaves;
        _leafGrad = leafGrad;
        _parameters = parameters;
        _clone = clone;
        _leafSums = new Tensor?[leaves.Length];
    }

    /// <summary>
    /// Backpropagates <paramref name="gradOutput"/> through <paramref name="segment"/> and returns what
    /// <c>autograd.grad</c> over the flat segment would: each wanted saved tensor's gradient, then none for each
    /// parameter (their gradients are already in <c>.grad</c>: <see cref="GroupCall.Accumulate"/>).
    /// </summary>
    public IList<Tensor?> Run(Segment segment, Tensor gradOutput)
    {
        Process(segment, null, gradOutput, ownsGradient: false);
        var result = new List<Tensor?>(_leaves.Length + _parameters.Length);
        for (int i = 0; i < _leaves.Length; i++)
            if (_leafGrad[i]) result.Add(_leafSums[i]);
        result.AddRange(new Tensor?[_parameters.Length]);
        return result;
    }

    /// <summary>
    /// Backpropagates <paramref name="gradOutput"/> (the gradient of the segment's output) through a segment whose first
    /// unit's input is <paramref name="input"/> (null: the saved inputs), and returns the gradient of that input (null
    /// for the saved inputs, whose gradients are summed in place). With <paramref name="ownsGradient"/> it disposes
    /// <paramref name="gradOutput"/> once consumed.
    /// </summary>
    private Tensor? Process(Segment segment, Tensor? input, Tensor gradOutput, bool ownsGradient)
    {
        var inner = segment.Inner ?? [new Segment(segment.First, segment.Last, SegmentStrategy.Keep)];
        int m = inner.Count;
        var checkpoints = new Tensor?[m];
        var states = new RngSnapshot?[m];
        checkpoints[0] = input;
        var device = gradOutput.device;
        try
        {
            using (torch.no_grad())
                for (int j = 0; j < m - 1; j++)
                {
                    states[j] = RngSnapshot.CaptureNow(device);
                    checkpoints[j + 1] = Chain(inner[j], checkpoints[j]);
                }
            var grad = Backpropagate(inner[m - 1], checkpoints[m - 1], gradOutput);
            // The output's gradient is consumed: free it now, not when the level above returns (held across the
            // levels of a sequential schedule, one gradient per level stayed alive).
            if (ownsGradient) gradOutput.Dispose();
            for (int j = m - 2; j >= 0; j--)
            {
                checkpoints[j + 1]?.Dispose(); // the later inner segment is done with its input
                checkpoints[j + 1] = null;
                if (grad is null) break; // nothing upstream needs a gradient
                states[j]!.Restore();
                grad = Process(inner[j], checkpoints[j], grad, ownsGradient: true);
            }
            return grad;
        }
        finally
        {
            for (int j = 1; j < m; j++) checkpoints[j]?.Dispose();
            foreach (var s in states) s?.Dispose();
        }
    }

    /// <summary>Runs a segment's units as a chain (the caller chooses grad mode) from <paramref name="input"/> (null: the saved inputs).</summary>
    private Tensor Chain(Segment piece, Tensor? input)
    {
        Tensor? y = input;
        var copies = new List<Tensor>();
        for (int i = piece.First; i <= piece.Last; i++)
        {
            int k = i - _first;
            var args = new object?[_inputs[k].Length];
            for (int j = 0; j < args.Length; j++)
                args[j] = j == 0 && y is not null ? Fed(y, copies) : _slots[k][j] switch
                {
                    GroupCall.Chained => y,
                    GroupCall.NotTensor => _inputs[k][j],
                    var at => Fed(_leaves[at], copies),
                };
            var output = GroupCall.TidyCall(_units[k].Module, args);
            // The copies' handles go once the unit has run (autograd keeps what it saved): made outside any scope of
            // the segment's, they stayed to the end of the group's backward.
            foreach (var copy in copies)
                if (!ReferenceEquals(copy, output)) copy.Dispose();
            copies.Clear();
            if (y is not null && !ReferenceEquals(y, input)) y.Dispose(); // a link the next unit has consumed
            y = output;
        }
        return y!;
    }

    private Tensor Fed(Tensor t, List<Tensor> copies)
    {
        if (!_clone) return t;
        var copy = t.clone();
        copies.Add(copy);
        return copy;
    }

    /// <summary>
    /// Runs a segment's units with autograd from <paramref name="input"/> (null: the saved inputs) and backpropagates
    /// <paramref name="gradOutput"/>; sums the saved inputs' and parameters' gradients and returns the input's.
    /// </summary>
    private Tensor? Backpropagate(Segment piece, Tensor? input, Tensor gradOutput)
    {
        using var scope = torch.NewDisposeScope();
        Tensor? leaf = null;
        if (input is not null)
        {
            leaf = input.detach();
            leaf.requires_grad_(true);
        }
        var y = Forward(piece, leaf, input?.device ?? gradOutput.device);
        var wrt = new List<Tensor>(1 + _leaves.Length + _parameters.Length);
        if (leaf is not null) wrt.Add(leaf);
        for (int i = 0; i < _leaves.Length; i++)
            if (_leafGrad[i]) wrt.Add(_leaves[i]);
        wrt.AddRange(_parameters);
        if (!y.requires_grad) return null;
        var grads = autograd.grad([y], wrt, [gradOutput], retain_graph: false, create_graph: false, allow_unused: true);
        int g = 0;
        Tensor? inputGrad = leaf is null ? null : Keep(scope, grads[g++]);
        for (int i = 0; i < _leaves.Length; i++)
            if (_leafGrad[i]) Add(ref _leafSums[i], Keep(scope, grads[g++]));
        // Into .grad at once, even for a parameter that is an argument of the node (which then returns none for it):
        // held to the segment's end, the gradients of the units already done would sit beside the activations of those
        // still to do. The scope frees each gradient once added.
        for (int i = 0; i < _parameters.Length; i++)
            GroupCall.Accumulate(_parameters[i], grads[g++]);
        return inputGrad;
    }

    /// <summary>
    /// Runs a piece's units with autograd from <paramref name="leaf"/>. Until the group knows whether a unit changes
    /// its input in place, a piece whose recompute autograd refuses for that (an in-place op on a leaf) runs again from
    /// copies, from the random state it started from: the pieces already backpropagated are final (their gradients are
    /// in <c>.grad</c>), so only this one repeats, where the group's first backward used to start again from its saved
    /// inputs and therefore had to hold every gradient to its end.
    /// </summary>
    private Tensor Forward(Segment piece, Tensor? leaf, Device device)
    {
        using var start = _clone ? null : RngSnapshot.CaptureNow(device);
        using (torch.enable_grad())
        {
            try
            {
                return Chain(piece, leaf);
            }
            catch (Exception e) when (start is not null && GroupCall.IsInPlaceOnLeaf(e))
            {
                _clone = true;
                _cloneLearned();
                start.Restore();
                return Chain(piece, leaf);
            }
        }
    }

    private static Tensor? Keep(DisposeScope scope, Tensor? grad) =>
        grad is null || grad.IsInvalid ? null : scope.MoveToOuter(grad);

    private static void Add(ref Tensor? sum, Tensor? grad)
    {
        if (grad is null) return;
        if (sum is null) { sum = grad; return; }
        var total = sum.add(grad);
        sum.Dispose();
        grad.Dispose();
        sum = total;
    }
}
