#!/usr/bin/env bash
# Rewrites the expected result lines from runs of the HVM build (after the user program
# changed: its kill lines name pc values, and its size is printed). Review the diff: the
# checksums must not change unless a workload did, and tests/guests/kernel-results.test.ts
# recomputes them independently.
set -euo pipefail
cd "$(dirname "$0")/../../.."
results='^(kernel|user|disk|mem|timer|net):'
node bin/chronovisor.mjs run guests/hvm-demo.cfg 2>/dev/null | grep -E "$results" > guests/kernel/expected/demo.txt
pair=$(node bin/chronovisor.mjs run guests/hvm-ping.cfg guests/hvm-pong.cfg 2>/dev/null)
for role in ping pong; do
  grep "^\[hvm-$role\] " <<<"$pair" | sed "s/^\[hvm-$role\] //" | grep -E "$results" > "guests/kernel/expected/$role.txt"
done
git diff --stat -- guests/kernel/expected/ || true
