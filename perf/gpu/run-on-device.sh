#!/usr/bin/env bash
# The GPU checks of docs/benchmarks.md, in one run on a machine with an NVIDIA GPU and PyTorch (no .NET SDK needed):
# the examples' main job (profile, plan at the midpoint cap, train, bench side by side) for gpt2-tiny (smoke test),
# gpt2-medium at batch 8 (the reference numbers' shape) and resnet-large, then PyTorch eager on the same GPT-2 with
# the same plan. Needs .gpu/app.tar.xz from publish.sh. Results: $OUT/results.tar.gz (logs, profiles, plans, bench).
set -u
OUT=${OUT:-/tmp/autockpt-gpu-out}; R=/tmp/res; mkdir -p "$R" "$OUT"
log() { echo "[$(date +%T)] $*" | tee -a "$R/run.log"; }
pack() { tar czf "$OUT/results.tar.gz" -C /tmp res; }
step() { # name seconds command...
  local name=$1 limit=$2; shift 2; log "start $name: $*"
  timeout "$limit" "$@" > "$R/$name.log" 2>&1; local rc=$?
  log "end $name rc=$rc"; pack; return $rc
}
tar xJf .gpu/app.tar.xz -C /tmp || exit 1
TORCH_LIB=$(python3 -c "import torch,os;print(os.path.join(os.path.dirname(torch.__file__),'lib'))") || exit 1
export LD_LIBRARY_PATH=$TORCH_LIB${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export PYTORCH_CUDA_ALLOC_CONF=backend:cudaMallocAsync PYTHONUNBUFFERED=1
nvidia-smi > "$R/nvidia-smi.txt" 2>&1
python3 -c "import torch;print('torch',torch.__version__,'cuda',torch.version.cuda,torch.cuda.get_device_name())" | tee -a "$R/run.log"
nproc | tee -a "$R/run.log"
APP=/tmp/app
step gpt2-tiny 100 "$APP/AutoCkpt.Examples.Gpt2" --target gpt2-tiny --device "${DEVICE:-cuda}" --solver "${SOLVER:-exact}" --steps 5 --train-steps 5 --repeats 3 --out "$R/gpt2-tiny" \
  || [ -f "$R/gpt2-tiny/bench.json" ] || { tail -40 "$R/gpt2-tiny.log"; export AUTOCKPT_CUDA_RNG_STATE=0; log "retrying with per-segment CUDA seeds";
       step gpt2-tiny-seeds 100 "$APP/AutoCkpt.Examples.Gpt2" --target gpt2-tiny --device "${DEVICE:-cuda}" --solver "${SOLVER:-exact}" --steps 5 --train-steps 5 --repeats 3 --out "$R/gpt2-tiny-seeds" \
       || [ -f "$R/gpt2-tiny-seeds/bench.json" ] || { tail -40 "$R/gpt2-tiny-seeds.log"; exit 1; }; }
step gpt2-medium "${MEDIUM_S:-180}" "$APP/AutoCkpt.Examples.Gpt2" --target gpt2-medium --batch 8 --device "${DEVICE:-cuda}" --solver "${SOLVER:-exact}" --steps 12 --train-steps 10 --repeats 3 --out "$R/gpt2-medium"
[ -n "${FULL_MAX:-}" ] && step gpt2-medium-full "${MEDIUM_S:-180}" "$APP/AutoCkpt.Examples.Gpt2" --target gpt2-medium --batch 8 --device "${DEVICE:-cuda}" --solver "${SOLVER:-exact}" --cap 102% --steps 12 --train-steps 2 --repeats 3 --out "$R/gpt2-medium-full"
[ -z "${SKIP_PYTORCH:-}" ] && step pytorch-medium 110 python3 perf/gpu/gpt2_pytorch_reference.py --preset medium --batch 8 --plan "$R/gpt2-medium/autockpt.plan.yaml" --steps 15
step resnet-large "${RESNET_S:-150}" "$APP/AutoCkpt.Examples.ResNet" --target resnet-large --device "${DEVICE:-cuda}" --solver "${SOLVER:-exact}" --steps 12 --train-steps 10 --repeats 3 --out "$R/resnet-large"
for f in gpt2-tiny gpt2-tiny-seeds gpt2-medium gpt2-medium-full pytorch-medium resnet-large; do echo "== $f"; [ -f "$R/$f.log" ] && grep -E '^\||ratio|^\[|error|rror:|\{' "$R/$f.log" | cut -c1-400 | tail -40; done; true
