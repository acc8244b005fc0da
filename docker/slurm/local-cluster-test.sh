#!/usr/bin/env bash
# Runs the Slurm example for real on a one-node cluster, started here if none answers:
#   1. submit.sh: the shard array (2 shards) and the merge with --dependency=afterok; the merged
#      table must equal one unsharded run of the same sweep (also through Slurm);
#   2. pre-emption, deterministic by design: shard 1 of a sweep whose chunks are long (steps from
#      GAPLAB_PREEMPT_STEPS, default 6000: seconds per chunk even on a fast CPU) is SIGTERM'd
#      (scancel --batch --signal=TERM) as soon as its first chunk's row appears, so three chunks of
#      work are left when the signal arrives; the test reads that progress (rows on disk, job still
#      RUNNING) before signalling and says so if it ever was not. The shard exits 143 with part of its
#      rows; resubmitted, it must finish with exactly the rows of an uninterrupted shard 1 of the
#      same sweep (run beside it).
# Prints one summary line; exits non-zero if any check failed.
#
#   docker/slurm/local-cluster-test.sh                 gaplab through docker run (image gaplab:cpu)
#   GAPLAB_RUNNER=local docker/slurm/local-cluster-test.sh   the checkout's ./gaplab, no container
#
# Starting a cluster needs root, munge and slurm-wlm (Debian: apt-get install slurm-wlm munge):
# munged runs as the munge user, slurmctld and slurmd with a slurm.conf written under a temporary
# folder; the daemons this script started are stopped at the end (KEEP_CLUSTER=1 keeps them).
# The GPU request of the example (--gres=gpu:1) is dropped here (--gres=none): the node has none.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
runner="${GAPLAB_RUNNER:-docker}"
work="$(mktemp -d "${TMPDIR:-/tmp}/gaplab-slurm.XXXXXX")"
chmod 0755 "$work"
passed=0
failed=()
t_start=$SECONDS
started_pids=()
say() { echo "slurm-test: $*" >&2; }
ok() { passed=$((passed + 1)); say "ok   $1"; }
bad() { failed+=("$1"); say "FAIL $1${2:+: $2}"; }

stop_cluster() {
  [[ "${KEEP_CLUSTER:-0}" == 1 ]] && return
  local pid
  for pid in "${started_pids[@]}"; do kill "$pid" 2> /dev/null; done
  for pid in "${started_pids[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
  done
}
finish() {
  local total=$((passed + ${#failed[@]}))
  stop_cluster
  if [[ ${#failed[@]} -eq 0 && "$total" -gt 0 ]]; then
    echo "slurm-test: PASS $passed/$total checks in $((SECONDS - t_start))s (runner $runner)"
    [[ "${KEEP:-0}" == 1 ]] || rm -rf "$work"
    exit 0
  fi
  echo "slurm-test: FAIL ${#failed[@]}/$total checks (${failed[*]}) in $((SECONDS - t_start))s; outputs in $work"
  exit 1
}

# ---- a one-node cluster ----
start_cluster() {
  [[ "$(id -u)" == 0 ]] || { say "error: no cluster answers, and starting one needs root"; exit 2; }
  local host cpus conf pid
  for cmd in munged slurmctld slurmd; do
    command -v "$cmd" > /dev/null 2>&1 || { say "error: $cmd not found (apt-get install slurm-wlm munge)"; exit 2; }
  done
  host="$(hostname -s)"; cpus="$(nproc)"
  if ! pgrep -u munge -x munged > /dev/null 2>&1; then
    [[ -s /etc/munge/munge.key ]] || { mungekey --create > /dev/null 2>&1 || { say "error: no munge key"; exit 2; }; }
    mkdir -p /run/munge /var/log/munge /var/lib/munge; chown munge:munge /run/munge /var/log/munge /var/lib/munge
    chmod 0755 /run/munge
    runuser -u munge -- munged --force || { say "error: munged did not start"; exit 2; }
    sleep 1
    pid="$(pgrep -u munge -n -x munged)" && started_pids+=("$pid")
  fi
  conf="$work/slurm"
  mkdir -p "$conf/state" "$conf/spool" "$conf/log"
  cat > "$conf/slurm.conf" <<CONF
ClusterName=gaplab-local
SlurmctldHost=$host
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$conf/state
SlurmdSpoolDir=$conf/spool
SlurmctldPidFile=$conf/slurmctld.pid
SlurmdPidFile=$conf/slurmd.pid
SlurmctldLogFile=$conf/log/slurmctld.log
SlurmdLogFile=$conf/log/slurmd.log
ReturnToService=2
MinJobAge=3600
NodeName=$host CPUs=$cpus RealMemory=20000 State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
  export SLURM_CONF="$conf/slurm.conf"
  slurmctld -f "$SLURM_CONF" && sleep 1 && started_pids+=("$(cat "$conf/slurmctld.pid")")
  slurmd -f "$SLURM_CONF" && sleep 1 && started_pids+=("$(cat "$conf/slurmd.pid")")
  for _ in $(seq 1 30); do
    sinfo -h -o '%T' 2> /dev/null | grep -Eq '^(idle|mixed|allocated)' && return 0
    sleep 1
  done
  say "error: the node did not come up (logs in $conf/log)"; finish
}
if sinfo -h > /dev/null 2>&1 && [[ -n "$(sinfo -h -o '%T' 2> /dev/null)" ]]; then
  say "using the running cluster ($(sinfo -h -o '%P %N %T' | head -n 1))"
else
  say "no cluster answers: starting a one-node cluster"
  start_cluster
  ok "cluster-up"
fi

# ---- how the jobs run gaplab ----
export GAPLAB_RUNNER="$runner"
case "$runner" in
  docker)
    export GAPLAB_IMAGE="${GAPLAB_IMAGE:-gaplab:cpu}" GAPLAB_GPUS=0
    docker image inspect "$GAPLAB_IMAGE" > /dev/null 2>&1 \
      || { bad "image" "$GAPLAB_IMAGE not found: build it first (docker/smoke-test.sh)"; finish; } ;;
  local)
    export GAPLAB_CMD="${GAPLAB_CMD:-$root/gaplab}"
    "$GAPLAB_CMD" --version > /dev/null 2>&1 || { bad "launcher" "$GAPLAB_CMD --version failed"; finish; } ;;
  *) say "error: GAPLAB_RUNNER must be docker or local here"; exit 2 ;;
esac

# 8 points, one per chunk: each shard of 2 runs 4 chunks, so a pre-empted shard has some left.
cat > "$work/sweep.yaml" <<'YAML'
name: slurm-local
base: {steps: 300, batch_size: 64, eval: {size: 500}, schedule: {log_every: 100}}
grid: {data.sigma: [0.0, 0.2, 0.4, 0.6]}
seeds: {start: 0, count: 2}
chunk: 1
YAML
chmod 0644 "$work/sweep.yaml"
export GAPLAB_SWEEP_CONFIG="$work/sweep.yaml"
small=(--cpus-per-task=1 --mem=1G --gres=none --time=00:20:00)

state() { scontrol show job "$1" 2> /dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' | sort -u | tr '\n' ' '; }
exit_code() { scontrol show job "$1" 2> /dev/null | sed -n 's/.* ExitCode=\([0-9:]*\).*/\1/p' | head -n 1; }
# wait_done JOB SECONDS: until no task of the job is pending or running
wait_done() {
  local end=$((SECONDS + $2)) s
  while ((SECONDS < end)); do
    s="$(state "$1")"
    [[ -n "$s" && ! "$s" =~ PENDING|RUNNING|CONFIGURING|COMPLETING ]] && return 0
    sleep 2
  done
  return 1
}
cd "$work" || exit 2   # sbatch writes the jobs' .out files here

# ---- 1. array + merge with afterok, against one unsharded run ----
mkdir -p "$work/runs" "$work/whole"; chmod 0777 "$work/runs" "$work/whole"
out="$(GAPLAB_RUNS="$work/runs" "$here/submit.sh" --array=0-1 "${small[@]}" 2>&1)"
array_id="$(sed -n 's/^shards: job \([0-9]*\);.*/\1/p' <<< "$out")"
merge_id="$(sed -n 's/.*merge: job \([0-9]*\) .*/\1/p' <<< "$out")"
if [[ -n "$array_id" && -n "$merge_id" ]]; then ok "submit-array-and-merge"; else bad "submit-array-and-merge" "$out"; finish; fi
scontrol show job "$merge_id" | grep -q "Dependency=afterok:${array_id}" && ok "merge-waits-afterok" || bad "merge-waits-afterok"
whole_id="$(GAPLAB_RUNS="$work/whole" GAPLAB_SHARDS=1 sbatch --parsable --array=0 "${small[@]}" "$here/sweep-array.sbatch" 2>&1)"
whole_id="${whole_id%%;*}"
wait_done "$array_id" 900; wait_done "$merge_id" 300; wait_done "$whole_id" 900
if [[ "$(state "$array_id")" == "COMPLETED " && "$(state "$merge_id")" == "COMPLETED " ]]; then
  ok "array-and-merge-completed"
else
  bad "array-and-merge-completed" "array $(state "$array_id"), merge $(state "$merge_id")"
fi
merged="$work/runs/sweep-merged/runs.csv"
whole="$work/whole/sweep/shard-0/runs.csv"
if [[ -s "$merged" && "$(wc -l < "$merged")" -eq 9 ]] && cmp -s "$merged" "$whole"; then
  ok "merged-equals-unsharded"
else
  bad "merged-equals-unsharded" "$merged vs $whole"
fi

# ---- 2. pre-empt shard 1, resubmit, same rows as an uninterrupted shard 1 ----
# Its own sweep, 8 points of one chunk each, so shard 1 of 2 runs 4 chunks; each chunk is long
# (PREEMPT_STEPS steps) so that after the first row appears three chunks, many seconds of work, remain:
# the SIGTERM always lands while the shard is training, whatever the machine's speed.
preempt_steps="${GAPLAB_PREEMPT_STEPS:-6000}"
cat > "$work/preempt.yaml" <<YAML
name: slurm-preempt
base: {steps: $preempt_steps, batch_size: 64, eval: {size: 500}, schedule: {log_every: 500, checkpoint_every: 500}}
grid: {data.sigma: [0.0, 0.2, 0.4, 0.6]}
seeds: {start: 0, count: 2}
chunk: 1
YAML
chmod 0644 "$work/preempt.yaml"
mkdir -p "$work/preempt" "$work/preempt-ref"; chmod 0777 "$work/preempt" "$work/preempt-ref"
rows="$work/preempt/sweep/shard-1/runs.jsonl"
job="$(GAPLAB_SWEEP_CONFIG="$work/preempt.yaml" GAPLAB_RUNS="$work/preempt" GAPLAB_SHARDS=2 \
  sbatch --parsable --array=1 "${small[@]}" "$here/sweep-array.sbatch")"
job="${job%%;*}"
ref="$(GAPLAB_SWEEP_CONFIG="$work/preempt.yaml" GAPLAB_RUNS="$work/preempt-ref" GAPLAB_SHARDS=2 \
  sbatch --parsable --array=1 "${small[@]}" "$here/sweep-array.sbatch")"
ref="${ref%%;*}"
at_term=0
for _ in $(seq 1 6000); do   # until its first chunk is finished (at most 20 min)
  at_term="$( { wc -l < "$rows"; } 2> /dev/null || echo 0)"
  [[ "$at_term" -ge 1 ]] && break
  [[ "$(state "$job")" =~ RUNNING|PENDING|CONFIGURING ]] || break
  sleep 0.2
done
state_at_term="$(state "$job")"
scancel --batch --signal=TERM "$job"
# the progress read just before the signal: one or more chunks done, some left, still running
if [[ "$state_at_term" == "RUNNING " && "$at_term" -ge 1 && "$at_term" -lt 4 ]]; then
  ok "preempted-while-training ($at_term of 4 chunks done when SIGTERM was sent)"
else
  bad "preempted-while-training" "state $state_at_term with $at_term of 4 rows when SIGTERM was sent; raise GAPLAB_PREEMPT_STEPS (now $preempt_steps) if the shard finished first"
fi
wait_done "$job" 600
first="$( { wc -l < "$rows"; } 2> /dev/null || echo 0)"
if [[ "$(exit_code "$job")" == "143:0" && "$first" -ge 1 && "$first" -lt 4 ]] \
    && grep -q "stopped by SIGTERM" "$work/gaplab-sweep-${job}_1.out" 2> /dev/null; then
  ok "preempted-exit-143-partial"
else
  bad "preempted-exit-143-partial" "state $(state "$job"), exit $(exit_code "$job"), $first of 4 rows"
fi
job2="$(GAPLAB_SWEEP_CONFIG="$work/preempt.yaml" GAPLAB_RUNS="$work/preempt" GAPLAB_SHARDS=2 \
  sbatch --parsable --array=1 "${small[@]}" "$here/sweep-array.sbatch")"
job2="${job2%%;*}"
wait_done "$job2" 1800; wait_done "$ref" 1800
# the resubmitted task trains only the chunks the pre-empted one had not finished
to_do="$(sed -n 's/.*; \([0-9]*\) chunks to do.*/\1/p' "$work/gaplab-sweep-${job2}_1.out" 2> /dev/null | head -n 1)"
if [[ "$(state "$job2")" == "COMPLETED " && "$(state "$ref")" == "COMPLETED " && "${to_do:-x}" == "$((4 - first))" ]] \
    && cmp -s "$work/preempt/sweep/shard-1/runs.csv" "$work/preempt-ref/sweep/shard-1/runs.csv"; then
  ok "resubmitted-resumes-to-same-rows"
else
  bad "resubmitted-resumes-to-same-rows" "state $(state "$job2") (reference $(state "$ref")), ${to_do:-?} chunks to do after $first; see $work/gaplab-sweep-${job2}_1.out"
fi

finish
