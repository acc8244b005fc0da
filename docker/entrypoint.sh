#!/usr/bin/env bash
# Entrypoint of the gaplab images. With GAPLAB_REQUIRE_GPU=1 (the CUDA image's default) it first runs
# 'gaplab info --require-gpu' once, so a container without a usable GPU stops at start-up with the
# reason (no driver, driver too old, no device, ...) instead of training on the CPU unnoticed.
# The check's report goes to stderr; stdout stays the command's own (e.g. bench --json).
# Then it replaces itself with gaplab, so signals (SIGTERM from docker stop, Kubernetes, Slurm)
# reach the JVM directly. GAPLAB_JAVA_OPTS adds JVM options.
set -euo pipefail

# As in ./gaplab: libtorch's OpenMP workers wait passively, so shared cores are given back.
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
export KMP_BLOCKTIME="${KMP_BLOCKTIME:-0}"

jar="${GAPLAB_JAR:-/opt/gaplab/gaplab-engine.jar}"
read -r -a java_opts <<< "${GAPLAB_JAVA_OPTS:-}"
# Log4j looks up the host name at start. Under --network none Docker's /etc/hosts lacks the
# container's name, and the failed lookup prints a stack trace on every start; then give the JVM a
# hosts file that has it (gaplab resolves no other name: it runs offline).
host="$(cat /proc/sys/kernel/hostname 2>/dev/null || true)"
if [[ -n "$host" ]] && ! getent hosts "$host" > /dev/null 2>&1; then
  hosts_file="$(mktemp "${TMPDIR:-/tmp}/gaplab-hosts.XXXXXX")"
  printf '127.0.0.1 localhost %s\n::1 localhost\n' "$host" > "$hosts_file"
  java_opts+=("-Djdk.net.hosts.file=$hosts_file")
fi
java_cmd=(java "${java_opts[@]}" -Djava.awt.headless=true -Dai.djl.offline=true -jar "$jar")

if [[ ! -f "$jar" ]]; then
  echo "gaplab-entrypoint: error: $jar not found" >&2
  exit 1
fi

if [[ "${GAPLAB_REQUIRE_GPU:-0}" == 1 ]]; then
  status=0
  "${java_cmd[@]}" info --require-gpu 1>&2 || status=$?
  if [[ "$status" -ne 0 ]]; then
    echo "gaplab-entrypoint: no usable GPU (reason above); run with --gpus all on a host with the NVIDIA" \
      "driver, or set GAPLAB_REQUIRE_GPU=0 to run on the CPU deliberately" >&2
    exit "$status"
  fi
fi

exec "${java_cmd[@]}" "$@"
