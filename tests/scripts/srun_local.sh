#!/usr/bin/env bash
# `srun build/retrain run ...` is a data-parallel launch on a real Slurm: a private one-node cluster
# (munged, slurmctld and slurmd on their own socket, ports and directories under a temp dir) runs one
# two-task step; each task takes its rank from SLURM_PROCID / SLURM_STEP_NUM_TASKS / SLURM_LOCALID, they
# join one process group through rank 0's store at MASTER_ADDR:MASTER_PORT, and the run commits
# generations 0 and 1 with the metrics of the same run in one process (to 1e-4).
# Then the batch scripts as documented, submitted from the temp dir (SLURM_SUBMIT_DIR) with RETRAIN set,
# their GPU and 8-CPU requests overridden on the sbatch command line (--gpus=0 / --gpus-per-node=0,
# --cpus-per-task=1: this node has no GPUs):
# - scripts/slurm/sweep_array.sbatch as a job array sized by `retrain sweep --count` runs every grid
#   point, and a plain `retrain sweep` submitted --dependency=afterok on it finds every run complete and
#   only writes sweep.csv; a task SIGTERMed as --signal=TERM@300 does (the job's steps, not the batch
#   shell) exits 130, requeues itself and continues from its snapshot.
# - scripts/slurm/multinode.sbatch on one node with two tasks trains as rank 0 and 1 of 2 (MASTER_ADDR
#   from the node list) with the srun step's metrics; submitted again it resumes the complete run and
#   says done, with --set loop.generations=2 it extends it; SIGTERMed mid-training it requeues and
#   continues from its snapshot, its output file keeping both attempts (--open-mode=append).
# Exit 77 (ctest: skipped) unless slurmctld, slurmd, srun and munged are installed and we are root.
#   tests/scripts/srun_local.sh RETRAIN_EXE
set -uo pipefail
retrain=${1:?usage: $0 RETRAIN_EXE}
for tool in slurmctld slurmd srun sbatch scontrol scancel sinfo munged; do
  command -v "$tool" > /dev/null || { echo "srun_local: skipped: $tool is not installed"; exit 77; }
done
[ "$(id -u)" -eq 0 ] || { echo "srun_local: skipped: the private Slurm daemons need root"; exit 77; }
retrain=$(readlink -f "$retrain")
[ -x "$retrain" ] || { echo "srun_local: $1 is not an executable"; exit 1; }
slurm_scripts=$(cd "$(dirname "$0")/../../scripts/slurm" && pwd) || { echo "srun_local: no scripts/slurm"; exit 1; }

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
  for log in "$work"/log/*.log "$work"/*.out; do [ -s "$log" ] && { echo "--- $log (tail)"; tail -n 15 "$log"; }; done
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

cp "$(dirname "$0")/toy_two_ranks.yaml" "$work/toy.yaml"
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
same_metrics() {  # A B: two runs' metrics.jsonl agree (to 1e-4, up to the order of the gradient sums)
  python3 - "$1" "$2" <<'PY'
import json, sys
ranks, one = ([json.loads(line) for line in open(path)] for path in sys.argv[1:])
assert len(ranks) == len(one), (len(ranks), len(one))
for g, (a, b) in enumerate(zip(ranks, one)):
    for key, x in a.items():
        if key == "wall_s" or not isinstance(x, (int, float)):
            continue
        y = b[key]
        assert abs(x - y) <= 1e-4 * (1 + abs(x)), f"generation {g}: {key} = {x} in {sys.argv[1]}, {y} in {sys.argv[2]}"
PY
}
same_metrics "$work/runs/toy/metrics.jsonl" "$work/one/toy/metrics.jsonl" || fail "srun's metrics differ from one process's"

# The batch scripts, submitted from $work (SLURM_SUBMIT_DIR; their relative paths resolve there) with
# RETRAIN set. sbatch's options override their #SBATCH lines: no GPUs here (--gpus=0, --gpus-per-node=0)
# and one CPU per task. We poll the jobs ourselves: sbatch --wait polls every 10 s.
export RETRAIN=$retrain
cd "$work" || fail "cannot cd to $work"
rows_of() { [ -f "$1" ] && wc -l < "$1" || echo 0; }
job_field() { scontrol show job -o "$1" 2> /dev/null | grep -o "$2=[^ ]*" | head -n 1 | cut -d= -f2; }
wait_job_done() {  # JOB SECONDS: until the job is COMPLETED, exit 0 (0) or ends otherwise (1)
  local state=
  for _ in $(seq $((4 * $2))); do
    state=$(job_field "$1" JobState)
    case $state in COMPLETED) return 0 ;; FAILED | CANCELLED | TIMEOUT | NODE_FAIL | OUT_OF_MEMORY) break ;; esac
    sleep 0.25
  done
  echo "job $1 is ${state:-gone}"; return 1
}
# SIGTERM to the job's steps, not its batch shell: what --signal=TERM@300 sends before the time limit.
# The script's retrain stops with a snapshot, exits 130, and the script requeues the job; Slurm holds a
# requeued job back (BeginTime, ~2 min), so release it, and it has to continue from the snapshot.
sigterm_requeue_resume() {  # JOB RUN_DIR WHAT OUT_FILE
  local job=$1 run_dir=$2 what=$3 out=$4
  for _ in $(seq 100); do [ -f "$run_dir/run.json" ] && break; sleep 0.1; done
  [ -f "$run_dir/run.json" ] || fail "$what: no $run_dir/run.json within 10 s"
  sleep 0.5  # into generation 0's training
  scancel --signal=TERM "$job" || fail "$what: scancel --signal=TERM $job failed"
  for _ in $(seq 80); do [ "$(job_field "$job" JobState)" = PENDING ] && break; sleep 0.25; done
  [ "$(job_field "$job" JobState)" = PENDING ] && [ "$(job_field "$job" Restarts)" = 1 ] ||
    fail "$what: SIGTERM to the job's steps did not requeue it (state $(job_field "$job" JobState), restarts $(job_field "$job" Restarts))"
  sleep 2  # slurmd refuses a relaunch within the second it revoked the job's credential ("already killed")
  scontrol update JobId="$job" StartTime=now || fail "$what: cannot release the requeued job"
  wait_job_done "$job" 60 > "$work/job_state.txt" || fail "$what: the requeued job did not complete: $(cat "$work/job_state.txt")"
  grep -q "training continues from snapshot" "$run_dir/log.txt" ||
    fail "$what: the requeued job did not continue from a training snapshot ($run_dir/log.txt)"
  [ "$(rows_of "$run_dir/metrics.jsonl")" -eq 2 ] || fail "$what: $run_dir/metrics.jsonl has $(rows_of "$run_dir/metrics.jsonl") rows after the requeue, expected 2"
  # --open-mode=append: the job's output file keeps the first attempt's log above the requeued one's.
  [ "$(grep -c "| config hash " "$out")" -eq 2 ] || fail "$what: $out does not hold both attempts' logs (--open-mode=append)"
}
# Seconds of generation 0 training to interrupt (one process ~2.5 s; two Gloo ranks are slower per step).
sed 's/^gen0: .*/gen0: {kimg: 600}/' toy.yaml > slow.yaml
sed 's/^gen0: .*/gen0: {kimg: 240}/' toy.yaml > slow2.yaml

# sweep_array.sbatch: the array sized by --count, one task per grid point, then the combining step.
# shellcheck disable=SC2054  # seed=1,2 is one word
grid=(--grid seed=1,2 --out sweep)
n=$("$retrain" sweep --config toy.yaml "${grid[@]}" --count 2> "$work/log/count.log") || fail "sweep --count failed"
[ "$n" = 2 ] || fail "sweep --count printed '$n' for a 2-point grid"
id=$(sbatch --parsable --array=0-$((n - 1)) --gpus=0 --cpus-per-task=1 "$slurm_scripts/sweep_array.sbatch" toy.yaml \
  "${grid[@]}" 2> "$work/log/sbatch_sweep.log") || fail "sbatch --array=0-$((n - 1)) sweep_array.sbatch failed"
id=${id%%;*}
for k in 0 1; do
  wait_job_done "${id}_$k" 60 > "$work/job_state.txt" || fail "array task ${id}_$k: $(cat "$work/job_state.txt")"
  grep -q "sweep point $k of 2: seed=$((k + 1)) -> sweep/toy/seed=$((k + 1))" "retrain-sweep-${id}_$k.out" ||
    fail "retrain-sweep-${id}_$k.out does not run grid point $k (seed=$((k + 1)))"
  rows=$(rows_of "sweep/toy/seed=$((k + 1))/metrics.jsonl")
  [ "$rows" -eq 2 ] || fail "array task $k: sweep/toy/seed=$((k + 1))/metrics.jsonl has $rows rows, expected 2"
done
before=$(md5sum sweep/toy/seed=*/metrics.jsonl)
combine=$(printf '%q ' "$retrain" sweep --config toy.yaml "${grid[@]}")
cid=$(sbatch --parsable --dependency=afterok:"$id" --cpus-per-task=1 --output=combine.out --wrap "$combine" \
  2> "$work/log/sbatch_combine.log") || fail "sbatch --dependency=afterok:$id --wrap '$combine' failed"
wait_job_done "${cid%%;*}" 60 > "$work/job_state.txt" ||
  fail "the combining job --dependency=afterok:$id: $(cat "$work/job_state.txt")"
done_runs=$(grep -c "all 1 generations are already complete" combine.out)
[ "$done_runs" -eq 2 ] || fail "the combining step found $done_runs of 2 runs complete"
! grep -q "training [0-9]" combine.out || fail "the combining step trained again"
[ "$(md5sum sweep/toy/seed=*/metrics.jsonl)" = "$before" ] || fail "the combining step changed the runs' metrics.jsonl"
rows=$(rows_of sweep/toy/sweep.csv)
[ "$rows" -eq 5 ] || fail "sweep/toy/sweep.csv has $rows lines, expected a header and 2 x 2 generations"
# A task stopped by the time-limit signal requeues itself and continues its grid point.
id=$(sbatch --parsable --array=0 --gpus=0 --cpus-per-task=1 "$slurm_scripts/sweep_array.sbatch" slow.yaml \
  --grid seed=5 --out signal 2> "$work/log/sbatch_sweep_signal.log") || fail "sbatch sweep_array.sbatch slow.yaml failed"
sigterm_requeue_resume "${id%%;*}_0" signal/slow/seed=5 "sweep_array.sbatch" "retrain-sweep-${id%%;*}_0.out"

# multinode.sbatch on one node: two tasks, MASTER_ADDR from `scontrol show hostnames` (the node's name).
getent hosts "$node" > /dev/null || fail "the node name $node does not resolve (multinode.sbatch's MASTER_ADDR)"
multinode() {  # OUT_FILE CONFIG [retrain flags]: submit multinode.sbatch, wait for it
  local out=$1 port job
  shift
  port=$(free_port "$ctld_port" "$slurmd_port")
  job=$(MASTER_PORT=$port sbatch --parsable -N1 --ntasks-per-node=2 "${overcommit[@]}" --gpus-per-node=0 \
    --cpus-per-task=1 --output="$out" "$slurm_scripts/multinode.sbatch" "$@" 2> "$work/log/sbatch_multinode.log") ||
    fail "sbatch multinode.sbatch $* failed"
  wait_job_done "${job%%;*}" 120 > "$work/job_state.txt" || fail "multinode.sbatch $*: $(cat "$work/job_state.txt") ($out)"
  grep -q "rank 0 of 2 (slurm launch, store $node:$port)" "$out" || fail "$out lacks 'rank 0 of 2 (slurm launch, store $node:$port)'"
}
multinode multinode_1.out toy.yaml --out multi
rows=$(rows_of multi/toy/metrics.jsonl)
[ "$rows" -eq 2 ] || fail "multinode.sbatch: multi/toy/metrics.jsonl has $rows rows, expected 2"
same_metrics multi/toy/metrics.jsonl runs/toy/metrics.jsonl || fail "multinode.sbatch's metrics differ from the srun step's"
before=$(md5sum multi/toy/metrics.jsonl)
# Submitted again (a requeue runs the same command line): resume the run, which is complete.
multinode multinode_2.out toy.yaml --out multi
grep -q "resuming after generation 1 of 1" multinode_2.out && grep -q "all 1 generations are already complete" multinode_2.out &&
  grep -q "done: metrics in multi/toy/metrics.jsonl" multinode_2.out || fail "multinode.sbatch submitted again did not resume the complete run and say done"
[ "$(md5sum multi/toy/metrics.jsonl)" = "$before" ] || fail "multinode.sbatch submitted again changed multi/toy/metrics.jsonl"
# Submitted with a larger loop.generations: the run is extended, its first generations kept.
multinode multinode_3.out toy.yaml --out multi --set loop.generations=2
[ "$(rows_of multi/toy/metrics.jsonl)" -eq 3 ] && [ "$(head -n 2 multi/toy/metrics.jsonl | md5sum)" = "${before%% *}  -" ] ||
  fail "multinode.sbatch with --set loop.generations=2 did not extend multi/toy by one generation and keep the first two"
# Stopped by the time-limit signal: every rank exits 130, the job requeues and continues on two ranks.
id=$(MASTER_PORT=$(free_port "$ctld_port" "$slurmd_port") sbatch --parsable -N1 --ntasks-per-node=2 "${overcommit[@]}" \
  --gpus-per-node=0 --cpus-per-task=1 --output=multinode_signal.out "$slurm_scripts/multinode.sbatch" slow2.yaml \
  --out multisignal 2> "$work/log/sbatch_multinode_signal.log") || fail "sbatch multinode.sbatch slow.yaml failed"
sigterm_requeue_resume "${id%%;*}" multisignal/slow2 "multinode.sbatch" multinode_signal.out
grep -q "rank 0 of 2 (slurm launch" multinode_signal.out || fail "multinode.sbatch's requeued attempt did not run on 2 ranks"

echo "srun_local: on a private Slurm ($(srun --version)): srun -n2 trained as rank 0 and 1 of 2 like one process;" \
  "sweep_array.sbatch ran a 2-point grid as a job array and the afterok step only combined it (sweep.csv);" \
  "multinode.sbatch trained on 2 ranks, resubmitted resumed the complete run and extended it, and both scripts requeued on" \
  "SIGTERM and continued from the snapshot"
