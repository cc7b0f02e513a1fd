#!/usr/bin/env bash
# `srun build/retrain run ...` is a data-parallel launch on a real Slurm: a private one-node cluster
# (munged, slurmctld and slurmd on their own socket, ports and directories under a temp dir) runs one
# two-task step; each task takes its rank from SLURM_PROCID / SLURM_STEP_NUM_TASKS / SLURM_LOCALID, they
# join one process group through rank 0's store at MASTER_ADDR:MASTER_PORT, and the run commits
# generations 0 and 1 with the metrics of the same run in one process (to 1e-4). Exit 77 (ctest: skipped) unless slurmctld, slurmd, srun and munged are installed
# and we are root.
#   tests/scripts/srun_local.sh RETRAIN_EXE
set -uo pipefail
retrain=${1:?usage: $0 RETRAIN_EXE}
for tool in slurmctld slurmd srun sinfo munged; do
  command -v "$tool" > /dev/null || { echo "srun_local: skipped: $tool is not installed"; exit 77; }
done
[ "$(id -u)" -eq 0 ] || { echo "srun_local: skipped: the private Slurm daemons need root"; exit 77; }
retrain=$(readlink -f "$retrain")
[ -x "$retrain" ] || { echo "srun_local: $1 is not an executable"; exit 1; }

work=$(mktemp -d)
chmod 711 "$work"  # munged wants its socket reachable (x) on every directory above it
pids=()
cleanup() {
  if [ -f "$work/slurm.conf" ]; then  # end any step still running, then the daemons (newest first)
    SLURM_CONF=$work/slurm.conf timeout 10 scancel --quiet --full --user=root 2> /dev/null
  fi
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill "${pids[i]}" 2> /dev/null; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2> /dev/null
    wait "$pid" 2> /dev/null
  done
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "srun_local: $*"
  for log in "$work"/log/*.log; do [ -s "$log" ] && { echo "--- $log (tail)"; tail -n 15 "$log"; }; done
  exit 1
}
used_ports() { ss -Htan 2> /dev/null | awk '{n = split($4, a, ":"); print a[n]}'; }
free_port() {  # a TCP port nobody listens on or connects from, and not one of the arguments
  local port taken
  taken=$(used_ports; printf '%s\n' "$@")
  while :; do
    port=$((20000 + RANDOM % 40000))
    grep -qx "$port" <<< "$taken" || { echo "$port"; return; }
  done
}

node=$(hostname -s)
# Not an outer job's step or a torchrun's rank: only this cluster's srun places the ranks.
for v in $(compgen -v SLURM_) WORLD_SIZE RANK LOCAL_RANK MASTER_ADDR MASTER_PORT; do unset "$v"; done
overcommit=()
[ "$(nproc)" -ge 2 ] || overcommit=(--overcommit)  # two tasks on a one-CPU node
mkdir -p "$work"/{munge,state,spool,log,run,runs}
chmod 755 "$work/munge"
# munge: its own key, socket, pid, seed and log files; the daemons and srun reach it through AuthInfo.
head -c 1024 /dev/urandom > "$work/munge/munge.key"
chmod 400 "$work/munge/munge.key"
munged --foreground --force --socket="$work/munge/munge.sock" --key-file="$work/munge/munge.key" \
  --pid-file="$work/munge/munged.pid" --seed-file="$work/munge/munge.seed" --log-file="$work/log/munged.log" \
  > "$work/log/munged.out" 2>&1 &
pids+=($!)
for _ in $(seq 100); do [ -S "$work/munge/munge.sock" ] && break; sleep 0.1; done
[ -S "$work/munge/munge.sock" ] || fail "munged did not create its socket within 10 s"

ctld_port=$(free_port)
slurmd_port=$(free_port "$ctld_port")
master_port=$(free_port "$ctld_port" "$slurmd_port")
cat > "$work/slurm.conf" <<CONF
ClusterName=srunlocal
SlurmctldHost=$node(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
AuthType=auth/munge
AuthInfo=socket=$work/munge/munge.sock
CredType=cred/munge
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/run/slurmctld.pid
SlurmdPidFile=$work/run/slurmd.pid
SlurmctldLogFile=$work/log/slurmctld.log
SlurmdLogFile=$work/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
MailProg=/bin/true
PlugStackConfig=$work/plugstack.conf
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SwitchType=switch/none
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
NodeName=$node NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=debug Nodes=$node Default=YES MaxTime=INFINITE State=UP
CONF
: > "$work/plugstack.conf"  # not the system's /etc/slurm/plugstack.conf
export SLURM_CONF=$work/slurm.conf
slurmctld -D -c -i > "$work/log/slurmctld.out" 2>&1 &
pids+=($!)
slurmd -D -N "$node" > "$work/log/slurmd.out" 2>&1 &
pids+=($!)
state=
for _ in $(seq 60); do
  state=$(sinfo -h -n "$node" -o %T 2> /dev/null)
  [ "$state" = idle ] && break
  for pid in "${pids[@]}"; do kill -0 "$pid" 2> /dev/null || fail "a daemon (pid $pid) exited while starting"; done
  sleep 1
done
[ "$state" = idle ] || fail "node $node is not idle after 60 s (sinfo says '${state:-nothing}')"

cat > "$work/toy.yaml" <<'YAML'
seed: 4
device: cpu
data: {source: toy2d, name: 8gaussians, n: 300}
learner: {type: diffusion}
model: {arch: mlp, width: 32, depth: 2, embedding_dim: 16}
method: {type: edm, steps: 8, sample_batch: 100}
train: {batch: 240}
gen0: {kimg: 2.4}
loop: {generations: 1, lambda: 1, real: fixed, kimg_per_generation: 2.4, shard_size: 100}
eval: {num_samples: 200}
dist: {timeout_s: 30}
YAML
# What each task of a two-task step sees (the variables placement_from reads).
timeout 60 srun -N1 -n2 "${overcommit[@]}" --label env > "$work/step_env.txt" 2>&1 ||
  fail "srun -n2 env failed: $(tail -n 5 "$work/step_env.txt")"
for r in 0 1; do
  for want in SLURM_PROCID=$r SLURM_STEP_NUM_TASKS=2 SLURM_LOCALID=$r; do
    grep -qx "$r: $want" "$work/step_env.txt" || fail "task $r of srun -n2 does not see $want"
  done
done

timeout 300 srun -N1 -n2 "${overcommit[@]}" --label --kill-on-bad-exit=1 --export=ALL \
  env MASTER_ADDR=127.0.0.1 MASTER_PORT="$master_port" OMP_NUM_THREADS=1 \
  "$retrain" run --config "$work/toy.yaml" --out "$work/runs" > "$work/step.log" 2>&1
code=$?
[ "$code" -eq 0 ] || { cat "$work/step.log"; fail "srun ... retrain run exited $code"; }
grep -q "rank 0 of 2 (slurm launch, store 127.0.0.1:$master_port)" "$work/step.log" ||
  { cat "$work/step.log"; fail "the log lacks 'rank 0 of 2 (slurm launch, store 127.0.0.1:$master_port)'"; }
[ -f "$work/runs/toy/metrics.jsonl" ] || { cat "$work/step.log"; fail "no $work/runs/toy/metrics.jsonl"; }
rows=$(wc -l < "$work/runs/toy/metrics.jsonl")
[ "$rows" -eq 2 ] || fail "metrics.jsonl has $rows rows, expected 2"
# The same run in one process: the metrics agree up to the order of the gradient sums.
OMP_NUM_THREADS=1 "$retrain" run --config "$work/toy.yaml" --out "$work/one" --name toy > "$work/one.log" 2>&1 ||
  { cat "$work/one.log"; fail "the one-process run failed"; }
python3 - "$work/runs/toy/metrics.jsonl" "$work/one/toy/metrics.jsonl" <<'PY' || fail "srun's metrics differ from one process's"
import json, sys
ranks, one = ([json.loads(line) for line in open(path)] for path in sys.argv[1:])
assert len(ranks) == len(one), (len(ranks), len(one))
for g, (a, b) in enumerate(zip(ranks, one)):
    for key, x in a.items():
        if key == "wall_s" or not isinstance(x, (int, float)):
            continue
        y = b[key]
        assert abs(x - y) <= 1e-4 * (1 + abs(x)), f"generation {g}: {key} = {x} on 2 ranks, {y} in one process"
PY
echo "srun_local: srun -n2 on a private Slurm ($(srun --version)) trained as rank 0 and 1 of 2 and committed generations 0 and 1"
