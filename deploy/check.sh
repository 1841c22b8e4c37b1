#!/usr/bin/env bash
# The deployment checks that run without a container engine: the compose file validates with
# Debian's docker-compose (installed here when missing), the Kubernetes manifests and the
# Dockerfile agree with the service, the committed OpenAPI document is current, and the published
# service starts with the image's entry point and settings and answers /health/ready and /classify.
# Prints a plain "N passed, N failed" line.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v docker-compose >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing docker-compose (Debian's package) to validate docker-compose.yml..."
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null
  else
    echo "docker-compose is missing: install it (apt-get install docker-compose) and run this again." >&2
    exit 1
  fi
fi

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
status=0
dotnet test tests/Deployment.Tests --logger "trx;LogFileName=deployment.trx" --results-directory "$results" || status=$?

trx="$results/deployment.trx"
if [ -f "$trx" ]; then
  counters=$(grep -o '<Counters [^>]*>' "$trx")
  passed=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
  failed=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  echo "${passed:-0} passed, ${failed:-0} failed"
fi
exit "$status"
