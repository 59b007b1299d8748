"""PyTorch eager reference for examples/Gpt2 on a GPU (docs/benchmarks.md, "GPU").

The same GPT-2 shape as examples/Gpt2/Model (pre-norm blocks, SDPA causal attention, GELU MLP, dropout, untied LM
head, AdamW), random byte tokens. Measures the median step time and peak memory (torch.cuda.max_memory_allocated)
of: no checkpointing; every block checkpointed (torch.utils.checkpoint, use_reentrant=False, what HF's
gradient_checkpointing_enable() does); and, given a plan file, the plan's segments (recompute segments checkpointed,
kept ones run normally). Prints one JSON line per strategy.

usage: python3 gpt2_pytorch_reference.py --preset medium --batch 8 [--plan autockpt.plan.yaml] [--steps 20]
"""
import argparse, json, re, statistics, time
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.checkpoint import checkpoint

PRESETS = {"small": (50257, 1024, 12, 12, 768), "medium": (50257, 1024, 24, 16, 1024)}


class Attention(nn.Module):
    def __init__(s, w, h, p):
        super().__init__(); s.h, s.p = h, p
        s.qkv, s.proj, s.drop = nn.Linear(w, 3 * w), nn.Linear(w, w), nn.Dropout(p)

    def forward(s, x):
        b, t, c = x.shape
        q, k, v = (z.view(b, t, s.h, c // s.h).transpose(1, 2) for z in s.qkv(x).split(c, dim=2))
        y = F.scaled_dot_product_attention(q, k, v, dropout_p=s.p if s.training else 0.0, is_causal=True)
        return s.drop(s.proj(y.transpose(1, 2).contiguous().view(b, t, c)))


class Block(nn.Module):
    def __init__(s, w, h, p):
        super().__init__()
        s.ln1, s.attn, s.ln2 = nn.LayerNorm(w), Attention(w, h, p), nn.LayerNorm(w)
        s.fc, s.proj, s.drop = nn.Linear(w, 4 * w), nn.Linear(4 * w, w), nn.Dropout(p)

    def forward(s, x):
        x = x + s.attn(s.ln1(x))
        return x + s.drop(s.proj(F.gelu(s.fc(s.ln2(x)))))


class Embed(nn.Module):
    def __init__(s, vocab, ctx, w, p):
        super().__init__(); s.tok, s.pos, s.drop = nn.Embedding(vocab, w), nn.Embedding(ctx, w), nn.Dropout(p)

    def forward(s, ids):
        return s.drop(s.tok(ids) + s.pos(torch.arange(ids.shape[1], device=ids.device)))


class Head(nn.Module):
    def __init__(s, w, vocab):
        super().__init__(); s.norm, s.lm = nn.LayerNorm(w), nn.Linear(w, vocab, bias=False)

    def forward(s, x):
        return s.lm(s.norm(x))


def stages(preset):
    vocab, ctx, layers, heads, width = PRESETS[preset]
    return nn.ModuleList([Embed(vocab, ctx, width, 0.1)] + [Block(width, heads, 0.1) for _ in range(layers)] + [Head(width, vocab)])


def run_segments(mods, segments, x):
    for first, last, recompute in segments:
        seg = mods[first:last + 1]
        fn = lambda z, seg=seg: _chain(seg, z)
        x = checkpoint(fn, x, use_reentrant=False) if recompute else fn(x)
    return x


def _chain(seg, z):
    for m in seg:
        z = m(z)
    return z


def plan_segments(path):
    text = open(path).read().split("segments:", 1)[1]
    return [(int(a), int(b), s == "recompute") for a, b, s in re.findall(r"first: (\d+), last: (\d+), strategy: (\w+)", text)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--preset", default="medium"); ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--plan"); ap.add_argument("--steps", type=int, default=20); ap.add_argument("--warmup", type=int, default=3)
    a = ap.parse_args()
    torch.manual_seed(1234)
    dev = torch.device("cuda")
    mods = stages(a.preset).to(dev).train()
    n = len(mods)
    opt = torch.optim.AdamW(mods.parameters(), lr=1e-4)
    vocab, ctx = PRESETS[a.preset][0], PRESETS[a.preset][1]
    strategies = {"none": [(0, n - 1, False)], "every_stage": [(i, i, True) for i in range(n)]}
    if a.plan:
        strategies["plan"] = plan_segments(a.plan)
    for name, segs in strategies.items():
        times = []
        for step in range(a.warmup + a.steps):
            ids = torch.randint(0, 256, (a.batch, ctx + 1), device=dev)
            x, y = ids[:, :-1], ids[:, 1:]
            if step == a.warmup:
                torch.cuda.synchronize(); torch.cuda.reset_peak_memory_stats()
            torch.cuda.synchronize(); t0 = time.perf_counter()
            opt.zero_grad(set_to_none=False)
            out = run_segments(mods, segs, x)
            loss = F.cross_entropy(out.view(-1, out.shape[-1]), y.reshape(-1))
            loss.backward(); opt.step()
            torch.cuda.synchronize()
            if step >= a.warmup:
                times.append(time.perf_counter() - t0)
            del out, loss
        print(json.dumps({"engine": "pytorch-eager", "torch": torch.__version__, "preset": a.preset, "batch": a.batch,
                          "strategy": name, "segments": len(segs), "median_step_seconds": statistics.median(times),
                          "peak_bytes": torch.cuda.max_memory_allocated(), "device": torch.cuda.get_device_name()}), flush=True)


if __name__ == "__main__":
    main()
