using AutoCkpt.Formats.Errors;
using AutoCkpt.Formats.Profiles;

namespace AutoCkpt.Planner.CostModel;

/// <summary>
/// The check <see cref="StepCostModel"/> makes of a profile before it walks it: byte counts that could sum past
/// <see cref="StepCostModel.MaxByteSum"/>, or seconds that sum to infinity, are ACKPT045.
/// </summary>
internal static class ProfileRange
{
    public static void Check(Profile p)
    {
        var f = p.FixedBytes;
        double fixedSum = Math.Abs((double)f.Parameters) + Math.Abs((double)f.Gradients) + Math.Abs((double)f.OptimizerState) + Math.Abs((double)f.Batch);
        double stageSum = 0, seconds = 0;
        foreach (var s in p.Stages)
        {
            stageSum += Abs(s.OutputBytes) + Abs(s.RetainedBytes) + Abs(s.ForwardTransientBytes) + Abs(s.BackwardTransientBytes)
                + Abs(s.BackwardFreedBytes) + Abs(s.InputFreedBytes) + Abs(s.InputHeldBytes) + Abs(s.SavedOutputBytes) + Abs(s.SavedOutputFreedEarlyBytes);
            if (s.Recompute is { } r) stageSum += Abs(r.RetainedBytes) + Abs(r.BackwardTransientBytes) + Abs(r.BackwardFreedBytes)
                + Abs(r.InnerBackwardTransientBytes ?? 0) + Abs(r.InnerBackwardFreedBytes ?? 0);
            if (s.SaveMatmuls is { } m) { stageSum += Abs(m.KeptBytes); seconds += m.RecomputeSeconds; }
            foreach (var sub in s.SubModules)
            {
                stageSum += Abs(sub.RetainedBytes) + Abs(sub.ForwardTransientBytes) + Abs(sub.BackwardTransientBytes) + Abs(sub.BackwardFreedBytes);
                seconds += sub.RecomputeSeconds;
            }
            seconds += s.ForwardSeconds + s.BackwardSeconds;
        }
        double bound = fixedSum + 4 * stageSum;
        if (!(bound <= StepCostModel.MaxByteSum))
            throw new AckptException(ErrorCodes.ProfileOutOfRange,
                $"the profile's byte counts are too large to plan with: fixed memory and four times the stages' figures sum to {bound:0.###e+0} bytes, past 2^62 ({StepCostModel.MaxByteSum:0.###e+0}), where 64-bit sums could overflow. A profile measured by 'autockpt profile' never comes near this: check the file.");
        if (!double.IsFinite(seconds))
            throw new AckptException(ErrorCodes.ProfileOutOfRange,
                $"the profile's seconds sum to {seconds}, not a finite step time: check the file's forward_seconds and backward_seconds.");

        static double Abs(long v) => Math.Abs((double)v);
    }
}
