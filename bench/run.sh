#!/usr/bin/env bash
# Runs the performance benchmark and writes docs/performance.md.
#   bench/run.sh [--device auto|cpu|cuda] [--duration <seconds>] [--memory-requests <n>] [--quick]
# On a CUDA host, build for it first (TorchBackend=cuda is passed through with TORCH_BACKEND=cuda).
set -euo pipefail
cd "$(dirname "$0")/.."

# wrk drives the end-to-end loads; Debian ships it.
if ! command -v wrk >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    echo "Installing wrk (Debian package) for the HTTP loads..."
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk) >/dev/null
  else
    echo "The benchmark needs wrk on PATH (https://github.com/wg/wrk)." >&2
    exit 1
  fi
fi

exec dotnet run -c Release --project bench/ExpressionService.Bench -p:TorchBackend="${TORCH_BACKEND:-cpu}" -- "$@"
