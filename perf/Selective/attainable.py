#!/usr/bin/env python3
"""What a perfect per-unit planner could reach on a profile (docs/selective.md, "Attainable, from the profiles").

For a profile with the options' figures (save_matmuls, sub_modules), this:
1. replaces the timing figures of identical units (same name but for its digits: blocks.0..blocks.5) by their median,
   so that the profile's timing noise between identical blocks (which lets a plan pick the blocks that happened to be
   measured fastest) plays no part;
2. writes that profile in four menus: every option, whole units only, save-matmuls only, sub-modules only;
3. plans each with `autockpt plan --solver exact` at the three caps range:25%, range:50%, range:75%, and prints the
   predicted overheads and the ratio to the best fitting tidy uniform segmentation (the solver is exact: no per-unit
   choice from that menu does better under the cost model);
4. prints the fractional bound at each cap: the least recompute time any mix of options could free the bytes with,
   were each block free to take any fraction of any option (the lower convex hull of each option's (frees, costs)
   against the block kept tidy), divided by the best fitting uniform's recompute time. It ignores each recompute
   segment's fixed cost and where the peak falls, so it is a bound below what any plan reaches.

Usage, from the repository root (the CLI built in Release):
    python3 perf/Selective/attainable.py docs/selective/sub/llama-tiny.profile.yaml OUT_DIR
"""
import os
import re
import statistics
import subprocess
import sys

import yaml

CLI = ["nice", "-n", "19", "dotnet", "src/Cli/bin/Release/net10.0/autockpt.dll"]
CAPS = ["range:25%", "range:50%", "range:75%"]
MENUS = {
    "every option": lambda s: s,
    "whole units only": lambda s: strip(s, "save_matmuls", "sub_modules"),
    "save-matmuls only": lambda s: strip(s, "sub_modules"),
    "sub-modules only": lambda s: strip(s, "save_matmuls"),
}


def strip(stage, *keys):
    return {k: v for k, v in stage.items() if k not in keys}


def kind(name):
    return re.sub(r"\d+", "#", name)


def denoise(profile):
    groups = {}
    for s in profile["stages"]:
        groups.setdefault(kind(s["name"]), []).append(s)
    for stages in groups.values():
        if len(stages) < 2:
            continue
        for key in ("forward_seconds", "backward_seconds"):
            m = statistics.median(s[key] for s in stages)
            for s in stages:
                s[key] = m
        if all("save_matmuls" in s for s in stages):
            m = statistics.median(s["save_matmuls"]["recompute_seconds"] for s in stages)
            for s in stages:
                s["save_matmuls"]["recompute_seconds"] = m
        if all("sub_modules" in s for s in stages):
            for i in range(len(stages[0]["sub_modules"])):
                m = statistics.median(s["sub_modules"][i]["recompute_seconds"] for s in stages)
                for s in stages:
                    s["sub_modules"][i]["recompute_seconds"] = m
    return profile


def plan(profile_path, cap, out):
    subprocess.run(CLI + ["plan", "--profile", profile_path, "--memory-cap", cap, "--solver", "exact", "--time-limit", "120", "--out", out],
                   check=True, stdout=subprocess.DEVNULL)
    with open(out) as f:
        p = yaml.safe_load(f)
    base = next(b["step_seconds"] for b in p["baselines"] if b["name"] == "none")
    budget = p["memory_cap_bytes"] - p.get("headroom_bytes", 0)
    uniforms = [b for b in p["baselines"] if b["name"].startswith("uniform_") and b["peak_bytes"] <= budget]
    best = min(uniforms, key=lambda b: b["step_seconds"]) if uniforms else None
    tidy = next(b["peak_bytes"] for b in p["baselines"] if b["name"] == "tidy")
    return {
        "overhead": p["predicted"]["step_seconds"] / base - 1,
        "uniform": best and (best["name"], best["step_seconds"] / base - 1),
        "base": base, "budget": budget, "tidy_peak": tidy,
        "uniform_recompute": best and best["step_seconds"] - base,
    }


def options(stage, k):
    """(frees, costs) of each option against the block kept tidy: bytes held from forward to backward, seconds (times k)."""
    kept = stage.get("tidy", {}).get("retained_bytes", stage["retained_bytes"])
    out = [("whole", kept - stage["output_bytes"], k * stage["forward_seconds"])]
    if "save_matmuls" in stage:
        m = stage["save_matmuls"]
        out.append(("save_matmuls", kept - stage["output_bytes"] - m["kept_bytes"], k * m["recompute_seconds"]))
    for sub in stage.get("sub_modules", []):
        out.append(("sub " + sub["path"], kept - sub["retained_bytes"], k * sub["recompute_seconds"]))
    return out


def hull_cost(opts, x):
    """Least seconds to free x bytes with a convex mix of the options (and doing nothing)."""
    pts = [(0.0, 0.0)] + [(f, t) for _, f, t in opts if f > 0]
    if x > max(f for f, _ in pts):
        return float("inf")
    best = float("inf")
    for f1, t1 in pts:
        for f2, t2 in pts:
            if f1 <= x <= f2 and f2 > f1:
                best = min(best, t1 + (t2 - t1) * (x - f1) / (f2 - f1))
            elif f1 == x:
                best = min(best, t1)
    return best


def main():
    src, out_dir = sys.argv[1], sys.argv[2]
    os.makedirs(out_dir, exist_ok=True)
    with open(src) as f:
        text = f.read()
    name = os.path.basename(src).replace(".profile.yaml", "")
    profile = denoise(yaml.safe_load(text))
    # The cost model's scale (docs/cost-model.md, "Step time"): k puts the stages' isolated times on a whole step's.
    k = 1.0
    if "step_time" in profile:
        k = min(1.0, profile["step_time"]["step_seconds"] / sum(s["forward_seconds"] + s["backward_seconds"] for s in profile["stages"]))
    # The blocks: the largest group of identical units that offer an option (a head with a Linear is not one of them).
    groups = {}
    for s in profile["stages"]:
        if "save_matmuls" in s or "sub_modules" in s:
            groups.setdefault(kind(s["name"]), []).append(s)
    blocks = max(groups.values(), key=len)
    print(f"# {name}: {len(blocks)} blocks with options; per block (median of identical blocks, times k = {k:.3f}), against the block kept tidy:")
    for label, freed, secs in options(blocks[0], k):
        print(f"#   {label:16s} frees {freed / 2**20:6.2f} MiB for {secs * 1000:7.1f} ms "
              f"({secs / k / blocks[0]['forward_seconds']:.2f} f; {freed / 2**20 / (secs * 1000) * 100:.1f} MiB per 100 ms)")
    rows = {}
    for menu, keep in MENUS.items():
        variant = dict(profile, stages=[keep(dict(s)) for s in profile["stages"]])
        path = os.path.join(out_dir, f"{name}.{menu.split()[0].replace('-', '')}.profile.yaml")
        with open(path, "w") as f:
            f.write("# " + f"{name}, {menu}, timing of identical units replaced by their median (perf/Selective/attainable.py)\n")
            yaml.safe_dump(variant, f, sort_keys=False, width=1000)
        rows[menu] = [plan(path, cap, os.path.join(out_dir, f"{name}.{menu.split()[0].replace('-', '')}.{cap[6:-1]}.plan.yaml")) for cap in CAPS]
    print("| menu | " + " | ".join(CAPS) + " |")
    print("|---|" + "---|" * len(CAPS))
    for menu, rs in rows.items():
        cells = []
        for r in rs:
            u = r["uniform"]
            cells.append(f"+{r['overhead'] * 100:.1f}%" + (f" ({r['overhead'] / u[1]:.2f} of {u[0]} +{u[1] * 100:.1f}%)" if u and u[1] > 0 else ""))
        print(f"| {menu} | " + " | ".join(cells) + " |")
    cells = []
    for r in rows["every option"]:
        must = r["tidy_peak"] - r["budget"]
        bound = len(blocks) * hull_cost(options(blocks[0], k), must / len(blocks))
        u = r["uniform_recompute"]
        cells.append(f"frees {must / 2**20:.1f} MiB: {bound * 1000:.0f} ms" + (f" ({bound / u:.2f} of the uniform's {u * 1000:.0f} ms)" if u else ""))
    print("| fractional bound | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
