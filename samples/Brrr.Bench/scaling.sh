#!/usr/bin/env bash
# Reproduces the measured tables of docs/scaling.md: each backend alone, worker processes 1/2/4, added network latency
# 0.5/1/2 ms per round trip, and the per-operation counts the cost model uses. Prints the bench's JSON lines (the
# medians of each command) to standard output and its tables to standard error. Build first:
#   dotnet build samples/Brrr.Bench -c Release
# Run on a quiet machine: about 15 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
B="dotnet samples/Brrr.Bench/bin/Release/net10.0/brrr-bench.dll"
run() { echo "# $*" >&2; $B --workload fib --n 15 --repeat 3 --warmup 1 "$@" | tail -n 1; }

# Each backend alone (one worker system in the bench process).
run --roots 256 --backend memory
run --roots 256 --backend redis
run --roots 256 --backend redis-cluster
run --roots 64 --backend redis-dynamo
run --roots 64 --backend sqs-dynamo

# Store, queue and cache operations per call (decorators: the cost model's DynamoDB units and SQS messages).
run --roots 64 --backend redis --count-ops
run --roots 64 --backend sqs-dynamo --count-ops

# Worker processes.
for p in 1 2 4; do
  run --roots 256 --backend redis --processes "$p"
  run --roots 256 --backend redis-cluster --processes "$p"
done

# Added latency per round trip (also gives the bytes per call the proxy forwarded).
for l in 0.5 1 2; do
  run --roots 256 --backend redis --latency-ms "$l"
  run --roots 64 --backend redis-dynamo --latency-ms "$l"
  run --roots 64 --backend sqs-dynamo --latency-ms "$l"
done
