#!/usr/bin/env bash
# Publishes the two examples self-contained for a GPU machine that has PyTorch but no .NET SDK (TorchSharp against
# PyTorch's torch/lib: AutoCkptTorchBackend=system), and packs them as .gpu/app.tar.xz for run-on-device.sh.
# Usage, from the repo root: bash perf/gpu/publish.sh   (about 3 minutes on 2 cores; ~47 MB)
set -euo pipefail
out=.gpu
rm -rf "$out/app" && mkdir -p "$out"
exclude=$(git rev-parse --git-path info/exclude); mkdir -p "$(dirname "$exclude")"; grep -qx '/.gpu/' "$exclude" 2>/dev/null || echo '/.gpu/' >> "$exclude"
# ErrorOnDuplicatePublishOutputFiles: the examples reference the profiler, itself an app; its deps.json and
# runtimeconfig.json are not needed beside the example's.
args=(-c Release -r linux-x64 --self-contained -p:AutoCkptTorchBackend=system -p:ErrorOnDuplicatePublishOutputFiles=false -o "$out/app")
dotnet publish examples/Gpt2 "${args[@]}"
dotnet publish examples/ResNet "${args[@]}"
tar cJf "$out/app.tar.xz" -C "$out" app
rm -rf "$out/app"
ls -la "$out/app.tar.xz"
