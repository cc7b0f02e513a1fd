#!/usr/bin/env bash
# Starts N processes of one command on this machine as the ranks of one run, with torchrun's variables
# (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR=127.0.0.1, MASTER_PORT), without torchrun:
#   scripts/launch_local.sh N build/retrain run --config configs/fmnist_edm.yaml
# Each rank gets OMP_NUM_THREADS = cores / N unless set. Rank 0 writes to the console; rank r's output
# goes to LOG_DIR/rank_r.log (LOG_DIR defaults to a temporary directory, named at the end). SIGINT and
# SIGTERM are passed to every rank. When a rank fails, the others are stopped after GRACE_S seconds
# (default 30); the exit code is the first failing rank's, or 0.
set -uo pipefail
[ $# -ge 2 ] && [[ "$1" =~ ^[1-9][0-9]*$ ]] || { echo "usage: $0 N COMMAND [ARGS...]  (N >= 1 processes)" >&2; exit 2; }
n=$1; shift
port=${MASTER_PORT:-$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
log_dir=${LOG_DIR:-$(mktemp -d -t retrain_ranks.XXXXXX)}
mkdir -p "$log_dir"
threads=${OMP_NUM_THREADS:-$(( $(nproc) / n > 0 ? $(nproc) / n : 1 ))}
grace=${GRACE_S:-30}

pids=()
for ((r = 0; r < n; r++)); do
  if [ "$r" -eq 0 ]; then
    RANK=$r LOCAL_RANK=$r WORLD_SIZE=$n MASTER_ADDR=127.0.0.1 MASTER_PORT=$port OMP_NUM_THREADS=$threads "$@" &
  else
    RANK=$r LOCAL_RANK=$r WORLD_SIZE=$n MASTER_ADDR=127.0.0.1 MASTER_PORT=$port OMP_NUM_THREADS=$threads "$@" \
      > "$log_dir/rank_$r.log" 2>&1 &
  fi
  pids+=($!)
done
forward() { kill "-$1" "${pids[@]}" 2> /dev/null; }
trap 'forward INT' INT
trap 'forward TERM' TERM

status=0
live=("${pids[@]}")
while [ "${#live[@]}" -gt 0 ]; do
  wait -n -p done_pid "${live[@]}"
  code=$?
  [ -n "${done_pid:-}" ] || continue  # interrupted by a forwarded signal: wait again
  rest=()
  for p in "${live[@]}"; do [ "$p" = "$done_pid" ] || rest+=("$p"); done
  live=("${rest[@]}")
  if [ "$code" -ne 0 ] && [ "$status" -eq 0 ]; then
    status=$code
    for ((r = 0; r < n; r++)); do [ "${pids[$r]}" = "$done_pid" ] && failed=$r; done
    echo "launch_local: rank $failed exited with $code; stopping the others in ${grace} s" >&2
    ( sleep "$grace"; kill -TERM "${live[@]}" 2> /dev/null ) &
    reaper=$!
  fi
  unset done_pid
done
[ -n "${reaper:-}" ] && kill "$reaper" 2> /dev/null
[ "$n" -gt 1 ] && echo "launch_local: logs of ranks 1-$((n - 1)) in $log_dir" >&2
exit "$status"
