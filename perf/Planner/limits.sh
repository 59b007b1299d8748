#!/usr/bin/env bash
# The time limit and growth, through the real CLI (a fresh process per run), on random heterogeneous chains:
#   perf/Planner/limits.sh                       # SIZES="100 1000 10000" LIMITS="0.1 1 10" CAP=1 (0: 30%, 1: 50%, 2: 80%)
# Needs `dotnet build AutoCkpt.sln -c Release` first. Prints one tab-separated row per run: stages, --time-limit, exit
# code, the process's wall seconds and peak resident memory, the plan's own startup/read/plan/write split (its
# "time:" line), and the solver line of the plan file (status, gap, bound).
set -uo pipefail
cd "$(dirname "$0")/../.."
perf="dotnet perf/Planner/bin/Release/net10.0/AutoCkpt.Perf.Planner.dll"
cli="dotnet src/Cli/bin/Release/net10.0/autockpt.dll"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo -e "# $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%FT%TZ)"
echo -e "stages\tlimit_s\trc\twall_s\tmax_rss_mb\ttime_line\tsolver"
for n in ${SIZES:-100 1000 10000}; do
  read -r -a caps <<< "$($perf profile-random "$n" 1 "$tmp/r$n.profile.yaml")"
  cap=${caps[${CAP:-1}]}
  for s in ${LIMITS:-0.1 1 10}; do
    rm -f "$tmp/p.yaml"
    /usr/bin/time -f "%e %M" -o "$tmp/time" $cli plan --profile "$tmp/r$n.profile.yaml" --memory-cap "$cap" --time-limit "$s" \
      --out "$tmp/p.yaml" > "$tmp/out" 2> "$tmp/err"
    rc=$?
    read -r wall rss < <(tail -1 "$tmp/time")
    line=$(grep -o 'time: .*' "$tmp/out" | head -1)
    solver=$( (grep -o '^solver: .*' "$tmp/p.yaml" 2>/dev/null || grep -o 'ACKPT0[0-9]*' "$tmp/err" | head -1) | tr -d '\n')
    echo -e "$n\t$s\t$rc\t$wall\t$((rss / 1024))\t${line:-}\t${solver:-}"
  done
done
