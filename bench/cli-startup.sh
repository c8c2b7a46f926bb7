#!/usr/bin/env bash
# CLI start-up against a bare `node -e 0`, in one hyperfine run (ratios, not absolute times, are
# what to compare): `instreg --version`, a warm `get` (from the cache snapshot) with table and JSON
# output, and `get --no-cache` (loads and parses every payload). Needs hyperfine (apt-get install
# hyperfine) and the data folder (INSTREG_DATA_DIR or ../shared/data). Run: npm run bench:cli
set -euo pipefail
cd "$(dirname "$0")/.."
CACHE=$(mktemp -d)
trap 'rm -rf "$CACHE"' EXIT
export INSTREG_CACHE_DIR="$CACHE"
node bin/instreg.js get BINANCE:BTCUSDT > /dev/null   # cold: builds the cache
echo "cli start-up — $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores, Node $(node --version), load avg $(cut -d' ' -f1 /proc/loadavg)"
hyperfine -N --warmup 3 --runs "${RUNS:-20}" \
  'node -e 0' \
  'node bin/instreg.js --version' \
  'node bin/instreg.js get BINANCE:BTCUSDT' \
  'node bin/instreg.js --json get BINANCE:BTCUSDT' 2>/dev/null
hyperfine -N --runs 2 'node bin/instreg.js --no-cache get BINANCE:BTCUSDT' 2>/dev/null
