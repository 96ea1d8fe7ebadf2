#!/usr/bin/env bash
# make bench: speed and memory figures, each beside a baseline measured in the
# same run, so that ratios stay meaningful on a noisy machine.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
export BUILD
for part in scripts/bench.d/*.sh; do
    bash "$part"
done
