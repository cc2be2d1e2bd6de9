#!/usr/bin/env bash
# Installs what the tests need when it is missing (redis-server, chromium with chromedriver, the pinned npm dev tools), then runs every test.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v redis-server >/dev/null 2>&1; then
  echo "test.sh: installing redis-server"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
fi

if ! command -v chromedriver >/dev/null 2>&1 || ! { command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; }; then
  echo "test.sh: installing chromium and chromium-driver (the dashboard's browser tests)"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
fi

if [ ! -x tools/dynalite/node_modules/.bin/dynalite ]; then
  echo "test.sh: installing the pinned npm dev tools (tools/dynalite)"
  (cd tools/dynalite && npm ci --no-audit --no-fund --loglevel=error)
fi

if [ ! -x tools/fauxqs/node_modules/.bin/node ] || [ ! -f tools/fauxqs/node_modules/fauxqs/package.json ]; then
  echo "test.sh: installing the pinned npm dev tools (tools/fauxqs: an SQS-compatible server and the Node.js 22.5+ it needs)"
  (cd tools/fauxqs && npm ci --no-audit --no-fund --loglevel=error)
fi

dotnet build BrrrAkka.sln -c Release -nologo -v quiet
dotnet test BrrrAkka.sln -c Release --no-build --nologo "$@"

# The benchmark harness at tiny sizes, every workload checked, so it cannot rot.
dotnet samples/Brrr.Bench/bin/Release/net10.0/brrr-bench.dll --smoke > /dev/null
echo "bench smoke: passed"
