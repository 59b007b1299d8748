#!/usr/bin/env python3
"""Pools repeated `autockpt bench --json` runs of one plan into a measured ratio of overheads (docs/selective.md).

The bench runs its strategies one step each in turn, round after round, so round i of every strategy ran at about the
same time. For each run this prints the bench's own ratio (medians of each strategy), and over all rounds of all runs:
the plan's and the best fitting uniform's paired overheads (step minus none's step in the same round), their medians,
the ratio of those medians, and a 95% interval for that ratio by bootstrap over rounds (2000 resamples, seed 1); then
the same against tidy's step (no recompute, every unit tidy, as the plan's and the uniform's kept units run).

Usage: python3 perf/Selective/pool_bench.py docs/selective/measured/llama-tiny.r*.bench.json
"""
import json
import random
import statistics
import sys


def rows(path):
    with open(path) as f:
        data = json.load(f)
    by = {r["strategy"]: r for r in data}
    uniform = next(name for name in by if name.startswith("uniform_"))
    return by, uniform


def main():
    for base in ("none", "tidy"):
        pool(sys.argv[1:], base)


def pool(paths, base_name):
    paired = []  # (plan - base, uniform - base) per round
    for path in paths:
        by, uniform = rows(path)
        none, plan, uni = by[base_name], by["plan"], by[uniform]
        med = lambda r: r["median_step_seconds"]
        own = (med(plan) - med(none)) / (med(uni) - med(none)) if med(uni) != med(none) else float("nan")
        if base_name == "none":
            print(f"{path}: none {med(none) * 1000:.1f} ms, {uniform} {(med(uni) / med(none) - 1) * 100:+.1f}%, "
                  f"plan {(med(plan) / med(none) - 1) * 100:+.1f}% (predicted {plan['predicted_overhead'] * 100:+.1f}% against "
                  f"{uni['predicted_overhead'] * 100:+.1f}%); ratio of medians {own:.2f}; peak {plan['measured_peak_bytes'] / 2**20:.2f} MiB "
                  f"(predicted {plan['predicted_peak_bytes'] / 2**20:.2f}, cap {plan['cap_bytes'] / 2**20:.2f}); max grad rel diff {plan['max_grad_rel_diff']}")
        paired += [(p - n, u - n) for n, p, u in zip(none["step_seconds"], plan["step_seconds"], uni["step_seconds"])]

    def ratio(sample):
        d = statistics.median(u for _, u in sample)
        return statistics.median(p for p, _ in sample) / d if d > 0 else float("inf")

    rng = random.Random(1)
    boots = sorted(ratio([rng.choice(paired) for _ in paired]) for _ in range(2000))
    plan_med = statistics.median(p for p, _ in paired)
    uni_med = statistics.median(u for _, u in paired)
    print(f"pooled over {len(paired)} rounds: plan {plan_med * 1000:+.1f} ms, uniform {uni_med * 1000:+.1f} ms over {base_name} "
          f"(medians of paired differences); ratio {ratio(paired):.2f}, 95% interval [{boots[50]:.2f}, {boots[1949]:.2f}]")


if __name__ == "__main__":
    main()
