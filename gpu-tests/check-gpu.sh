#!/usr/bin/env bash
# One-command GPU check, for a GPU workstation (a checkout) or the CUDA image.
#
# First, within seconds, it checks what a CUDA run needs and lists everything that is missing:
# an NVIDIA driver new enough for CUDA 12.8 (R570+), a visible GPU, libtorch 2.7.1 cu128
# (PYTORCH_LIBRARY_PATH, PYTORCH_VERSION=2.7.1, PYTORCH_FLAVOR=cu128; in a checkout with
# PYTORCH_LIBRARY_PATH unset it takes the download route instead: GAPLAB_NATIVE=download, and DJL
# fetches libtorch cu128 into its cache on first use, which needs network access), the CUDA runtime under the
# name DJL loads (libcudart.so), and a JDK 17+ with Maven (a checkout) or the image's jar. If
# anything is missing it stops there (exit 2). Otherwise, within 10 minutes in all:
#   1. builds gaplab with -Pgpu                       (checkout only)
#   2. runs the gpu-tests with -Pgpu                  (checkout only; a skipped GPU test fails)
#   3. gaplab bench --device cuda --runs K --json     for K = 1, 16, 256
#   4. gaplab reproduce modality-gap --device cuda    (the full paper run)
# and writes one JSON summary (default gpu-check/summary.json; --out DIR to change). Exit code 0
# when every step passed, 1 when one failed, 2 when something is missing.
#
#   gpu-tests/check-gpu.sh                     in a checkout
#   docker run --rm --gpus all -v "$PWD:/data" --entrypoint /data/gpu-tests/check-gpu.sh gaplab:cuda
#                                              in the CUDA image (its jar; steps 1-2 are skipped)
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
out="gpu-check"
budget="${GAPLAB_CHECK_BUDGET:-600}"   # seconds for everything
while [[ $# -gt 0 ]]; do
  case "$1" in
    --out) out="${2:?--out needs a directory}"; shift 2 ;;
    --out=*) out="${1#--out=}"; shift ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "check-gpu: error: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
done
mkdir -p "$out" || { echo "check-gpu: error: cannot create $out" >&2; exit 2; }
out="$(cd "$out" && pwd)"
summary="$out/summary.json"
t_start=$SECONDS
say() { echo "check-gpu: $*" >&2; }
json_str() {  # a JSON string literal
  local s="$1"
  s="${s//\\/\\\\}"; s="${s//\"/\\\"}"; s="${s//$'\n'/\\n}"; s="${s//$'\t'/ }"; s="${s//$'\r'/}"
  printf '"%s"' "$s"
}

# ---- where gaplab comes from: a checkout (build + tests) or the image's jar ----
mode=checkout
if [[ ! -f "$root/pom.xml" || ! -x "$root/gaplab" ]] || ! command -v javac > /dev/null 2>&1; then
  [[ -n "${GAPLAB_JAR:-}" && -f "${GAPLAB_JAR}" ]] && mode=image
fi

# ---- 0. what is missing (seconds) ----
missing=()
facts=()
fact() { facts+=("$(json_str "$1"): $(json_str "$2")"); }

driver=""
if command -v nvidia-smi > /dev/null 2>&1; then
  driver="$(timeout 20 nvidia-smi --query-gpu=driver_version --format=csv,noheader 2> /dev/null | head -n 1 | tr -d ' ')"
fi
if [[ -z "$driver" && -r /proc/driver/nvidia/version ]]; then
  driver="$(sed -n 's/.*Kernel Module *\([0-9][0-9.]*\).*/\1/p' /proc/driver/nvidia/version | head -n 1)"
fi
if [[ -z "$driver" ]]; then
  if ldconfig -p 2> /dev/null | grep -q 'libcuda\.so\.1 '; then
    missing+=("NVIDIA driver: libcuda.so.1 is installed but no driver answers (no nvidia-smi output, no /proc/driver/nvidia/version); in Docker run with --gpus all")
  else
    missing+=("NVIDIA driver: none (no nvidia-smi, no /proc/driver/nvidia/version, no libcuda.so.1); install the NVIDIA driver R570 or newer, or in Docker run with --gpus all (NVIDIA Container Toolkit)")
  fi
elif [[ "${driver%%.*}" -lt 570 ]] 2> /dev/null; then
  missing+=("NVIDIA driver $driver is too old for CUDA 12.8: R570 or newer is needed")
fi
fact driver "${driver:-none}"

gpus=""
if [[ -n "$driver" ]] && command -v nvidia-smi > /dev/null 2>&1; then
  gpus="$(timeout 20 nvidia-smi --query-gpu=name,memory.total,compute_cap --format=csv,noheader 2> /dev/null)"
  [[ -n "$gpus" ]] || missing+=("GPU: the driver sees no device (CUDA_VISIBLE_DEVICES='${CUDA_VISIBLE_DEVICES:-}')")
fi
fact gpus "${gpus:-none}"

lt="${PYTORCH_LIBRARY_PATH:-}"
route=library-path
if [[ -z "$lt" && "$mode" == checkout ]]; then
  # no libtorch of the user's: DJL downloads 2.7.1 cu128 into its cache (the launcher's opt-in route)
  route=download
  export GAPLAB_NATIVE=download PYTORCH_VERSION=2.7.1 PYTORCH_FLAVOR=cu128
elif [[ -z "$lt" ]]; then
  missing+=("libtorch 2.7.1 cu128: PYTORCH_LIBRARY_PATH is not set (unpack libtorch-cxx11-abi-shared-with-deps-2.7.1+cu128.zip and point it at libtorch/lib; docker/README.md)")
elif [[ ! -f "$lt/libtorch.so" ]]; then
  missing+=("libtorch: $lt has no libtorch.so (PYTORCH_LIBRARY_PATH must be the lib folder)")
elif [[ ! -f "$lt/libtorch_cuda.so" ]]; then
  missing+=("libtorch: $lt is a CPU build (no libtorch_cuda.so); the cu128 build is needed")
fi
[[ "${PYTORCH_VERSION:-}" == 2.7.1 ]] || missing+=("PYTORCH_VERSION must be 2.7.1 (is '${PYTORCH_VERSION:-}')")
[[ "${PYTORCH_FLAVOR:-}" == cu128 ]] || missing+=("PYTORCH_FLAVOR must be cu128 (is '${PYTORCH_FLAVOR:-}')")
fact libtorch "${lt:-none}"
fact native_route "$route"

# DJL loads the CUDA runtime as "cudart", i.e. libcudart.so without a version
cudart=""
for d in ${LD_LIBRARY_PATH:+${LD_LIBRARY_PATH//:/ }} "$lt"; do
  [[ -n "$d" && -e "$d/libcudart.so" ]] && { cudart="$d/libcudart.so"; break; }
done
[[ -n "$cudart" ]] || cudart="$(ldconfig -p 2> /dev/null | awk '$1 == "libcudart.so" { print $NF; exit }')"
if [[ -z "$cudart" ]]; then
  missing+=("CUDA runtime: no libcudart.so (unversioned) on LD_LIBRARY_PATH or in ldconfig's cache; DJL loads it by that name (link it to libcudart.so.12)")
else
  # libtorch cu128 needs the CUDA 12 runtime; an unversioned name that leads to another major misleads DJL
  real="$(basename "$(readlink -f "$cudart")")"
  [[ "$real" == libcudart.so.12* ]] || missing+=("CUDA runtime: $cudart is $real, not the CUDA 12 runtime that libtorch cu128 needs (put a libcudart.so linked to libcudart.so.12 first on LD_LIBRARY_PATH)")
  cudart="$cudart -> $real"
fi
fact cudart "${cudart:-none}"

java_major="$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
if [[ "${java_major%%.*}" -ge 17 ]] 2> /dev/null; then :; else missing+=("Java: a Java 17+ runtime is needed (found '${java_major:-none}')"); fi
if [[ "$mode" == checkout ]]; then
  command -v javac > /dev/null 2>&1 || missing+=("JDK: javac not found; building and running the gpu-tests need a JDK 17+ (the JRE of the CUDA image runs steps 3-4 only)")
  command -v mvn > /dev/null 2>&1 || missing+=("Maven: mvn not found; needed to build gaplab and run the gpu-tests")
fi
fact java "${java_major:-none}"
fact mode "$mode"

write_summary() {  # status, then step objects already in steps[]
  local status="$1" i
  {
    printf '{\n  "schema_version": 1,\n  "status": %s,\n  "seconds": %s,\n  "budget_seconds": %s,\n' \
      "$(json_str "$status")" "$((SECONDS - t_start))" "$budget"
    printf '  "environment": {%s},\n' "$(IFS=,; echo "${facts[*]}")"
    printf '  "missing": ['
    for i in "${!missing[@]}"; do printf '%s%s' "$([[ $i -gt 0 ]] && echo ', ')" "$(json_str "${missing[$i]}")"; done
    printf '],\n  "steps": [\n'
    for i in "${!steps[@]}"; do printf '    %s%s\n' "${steps[$i]}" "$([[ $i -lt $((${#steps[@]} - 1)) ]] && echo ',')"; done
    printf '  ]\n}\n'
  } > "$summary"
}
steps=()
if [[ ${#missing[@]} -gt 0 ]]; then
  say "cannot run on this machine; missing:"
  for m in "${missing[@]}"; do say "  - $m"; done
  write_summary missing
  say "summary: $summary ($((SECONDS - t_start)) s)"
  exit 2
fi
say "driver $driver; GPU ${gpus//$'\n'/; }; libtorch $lt; mode $mode"

# ---- 1-4 within the budget ----
failed=0
left() { echo $((budget - (SECONDS - t_start))); }
# step NAME STDOUT STDERR COMMAND...: runs with the time that is left, records exit code and seconds;
# a JSON object printed on STDOUT is kept in the summary as the step's result (STDOUT = STDERR: one log)
step() {
  local name="$1" stdout="$2" stderr="$3" t0=$SECONDS rc result=""; shift 3
  if [[ "$(left)" -le 5 ]]; then
    steps+=("{\"name\": $(json_str "$name"), \"status\": \"not-run\", \"reason\": \"time budget spent\"}")
    failed=1; return 1
  fi
  say "$name ..."
  if [[ "$stdout" == "$stderr" ]]; then
    timeout --signal=TERM --kill-after=30 "$(left)" "$@" > "$stdout" 2>&1; rc=$?
  else
    timeout --signal=TERM --kill-after=30 "$(left)" "$@" > "$stdout" 2> "$stderr"; rc=$?
  fi
  local status=pass; [[ $rc -eq 0 ]] || { status=fail; failed=1; }
  [[ $rc -eq 124 ]] && status=timeout
  [[ "$(head -c 1 "$stdout" 2> /dev/null)" == "{" ]] && result=", \"result\": $(cat "$stdout")"
  steps+=("{\"name\": $(json_str "$name"), \"status\": \"$status\", \"exit_code\": $rc, \"seconds\": $((SECONDS - t0)), \"log\": $(json_str "$stderr")$result}")
  say "$name: $status ($((SECONDS - t0)) s)"
  return $rc
}

if [[ "$mode" == checkout ]]; then
  gaplab=("$root/gaplab")
  step build "$out/build.log" "$out/build.log" mvn -B -ntp -q -f "$root/pom.xml" -Pgpu -DskipTests -pl engine -am package \
    && echo gpu > "$root/engine/target/.gaplab-build-profile"
  rm -rf "$root/gpu-tests/target/surefire-reports"   # no stale counts
  # only the gpu-tests module's classes; with -Pgpu a test that cannot reach the GPU fails
  offline=(); [[ "$route" == download ]] && offline=(-Ddjl.offline=false)
  step gpu-tests "$out/gpu-tests.log" "$out/gpu-tests.log" mvn -B -ntp -f "$root/pom.xml" -Pgpu "${offline[@]}" -pl gpu-tests -am verify \
    '-Dtest=org/gaplab/gputests/**/*Test' -Dsurefire.failIfNoSpecifiedTests=false
  counts="$(cat "$root"/gpu-tests/target/surefire-reports/TEST-*.xml 2> /dev/null \
    | grep -o '<testsuite [^>]*' | awk '{
        for (i = 1; i <= NF; i++) { split($i, kv, "="); gsub(/"/, "", kv[2]); c[kv[1]] += kv[2] } }
      END { printf "{\"tests\": %d, \"failures\": %d, \"errors\": %d, \"skipped\": %d}", c["tests"], c["failures"], c["errors"], c["skipped"] }')"
  steps[${#steps[@]}-1]="${steps[${#steps[@]}-1]%\}}, \"surefire\": ${counts:-null}}"
else
  gaplab=(java -Djava.awt.headless=true -Dai.djl.offline=true -jar "$GAPLAB_JAR")
  steps+=("{\"name\": \"build\", \"status\": \"skipped\", \"reason\": \"the image's jar is used (no checkout with a JDK)\"}")
  steps+=("{\"name\": \"gpu-tests\", \"status\": \"skipped\", \"reason\": \"needs a checkout with a JDK and Maven\"}")
fi

for k in 1 16 256; do
  step "bench-runs-$k" "$out/bench-runs-$k.json" "$out/bench-runs-$k.log" "${gaplab[@]}" bench --device cuda --runs "$k" --json
done
step reproduce-modality-gap "$out/reproduce.log" "$out/reproduce.log" "${gaplab[@]}" reproduce modality-gap --device cuda --out "$out/modality-gap"

if [[ "$failed" == 0 ]]; then write_summary pass; else write_summary fail; fi
say "summary: $summary ($((SECONDS - t_start)) s)"
exit "$failed"
