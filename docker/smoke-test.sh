#!/usr/bin/env bash
# Builds gaplab:cpu and runs it the way users will: offline (--network none), as the image's
# non-root user, with a host folder as the volume. Checks exit codes, files and their ownership,
# prints one summary line and exits non-zero if any check failed.
#
#   docker/smoke-test.sh                 image from the jars built on the host (built here if stale)
#   docker/smoke-test.sh --from-source   image built by Maven inside Docker (needs Maven Central there)
#   docker/smoke-test.sh --no-build      test an existing gaplab:cpu
#
# Where the public base images cannot be pulled, docker/make-debian-bases.sh makes Debian
# stand-ins with debootstrap and the build uses them. The builder is Docker's default; choose one
# with DOCKER_BUILDKIT=0 (classic) or DOCKER_BUILDKIT=1 (BuildKit). DOCKER names the client,
# IMAGE the tag (default gaplab:cpu), BUILD_NETWORK the build's network (none for the prebuilt
# target, host from source). KEEP=1 keeps the volume folder after a pass. TRUST_HOST_CAS=1 gives
# the Maven stand-in this host's CA certificates (make-debian-bases.sh --trust-host-cas).
# Checks, in order:
#   build; image user is 10001; info (also as another uid); train into the volume (runs/<name>, no runs/runs);
#   measure --run; reproduce modality-gap --quick; sweep shards 0/2 and 1/2 and merge (same rows
#   as one unsharded process); docker stop of a long train -> exit 143 with a checkpoint, then
#   --resume to the end; every file in the volume owned by the image user.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
docker="${DOCKER:-docker}"
image="${IMAGE:-gaplab:cpu}"
uid=10001
mode=prebuilt
for a in "$@"; do
  case "$a" in
    --from-source) mode=source ;;
    --no-build) mode=none ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "smoke-test: error: unknown argument '$a' (try --help)" >&2; exit 2 ;;
  esac
done

passed=0
failed=()
t_start=$SECONDS
log="$(mktemp "${TMPDIR:-/tmp}/gaplab-smoke.XXXXXX.log")"
say() { echo "smoke-test: $*" >&2; }
ok() { passed=$((passed + 1)); say "ok   $1"; }
bad() { failed+=("$1"); say "FAIL $1${2:+: $2}"; }
# check NAME COMMAND...: runs the command (output to the log), records pass/fail
check() {
  local name="$1"; shift
  if "$@" >> "$log" 2>&1; then ok "$name"; else bad "$name" "see $log"; fi
}
finish() {
  local total=$((passed + ${#failed[@]})) secs=$((SECONDS - t_start)) size
  size="$("$docker" image inspect -f '{{.Size}}' "$image" 2>/dev/null || echo 0)"
  if [[ ${#failed[@]} -eq 0 ]]; then
    [[ "${KEEP:-0}" == 1 ]] || clean_volume
    echo "smoke-test: PASS $passed/$total checks in ${secs}s (image $image, $((size / 1000000)) MB, builder ${builder:-none}, start-up ${startup:-?}s)"
    rm -f "$log"
    exit 0
  fi
  echo "smoke-test: FAIL ${#failed[@]}/$total checks (${failed[*]}) in ${secs}s; log $log, volume ${vol:-none}"
  exit 1
}

command -v "$docker" > /dev/null 2>&1 || { say "error: docker client '$docker' not found"; exit 2; }
"$docker" info > /dev/null 2>&1 || { say "error: the docker daemon is not reachable"; exit 2; }

# ---- build ----
builder=none
if [[ "$mode" != none ]]; then
  builder="$([[ "${DOCKER_BUILDKIT:-}" == 1 ]] && echo buildkit || echo "${DOCKER_BUILDKIT:+classic}")"
  builder="${builder:-default}"
  jre_default="$(sed -n 's/^ARG JRE_IMAGE=//p' "$here/Dockerfile.cpu")"
  maven_default="$(sed -n 's/^ARG MAVEN_IMAGE=//p' "$here/Dockerfile.cpu")"
  build_args=()
  pullable() { "$docker" image inspect "$1" > /dev/null 2>&1 || "$docker" pull -q "$1" > /dev/null 2>&1; }
  need_bases=0
  pullable "$jre_default" || need_bases=1
  [[ "$mode" == source ]] && { pullable "$maven_default" || need_bases=1; }
  if [[ "$need_bases" == 1 ]]; then
    say "public base images cannot be pulled: using Debian stand-ins (docker/make-debian-bases.sh)"
    bases_args=(); [[ "$mode" == source ]] && bases_args=(--with-maven)
    [[ "${TRUST_HOST_CAS:-0}" == 1 ]] && bases_args+=(--trust-host-cas)
    DOCKER="$docker" "$here/make-debian-bases.sh" "${bases_args[@]}" >> "$log" 2>&1 \
      || { bad "base-images" "make-debian-bases.sh failed, see $log"; finish; }
    build_args+=(--build-arg JRE_IMAGE=local/gaplab-jre:17)
    [[ "$mode" == source ]] && build_args+=(--build-arg MAVEN_IMAGE=local/gaplab-maven:17)
  fi
  if [[ "$mode" == prebuilt ]]; then
    # ./gaplab rebuilds the CPU jars when sources changed (or when they were built with -Pgpu).
    say "host jars: ./gaplab --version (builds them if stale)"
    (cd "$root" && env -u PYTORCH_LIBRARY_PATH -u PYTORCH_FLAVOR -u PYTORCH_VERSION ./gaplab --version) >> "$log" 2>&1 \
      && ls "$root/engine/target/lib" | grep -q '^pytorch-native-cpu' \
      || { bad "host-jars" "could not build the CPU jars on the host, see $log"; finish; }
    build_args+=(--target prebuilt)
  fi
  # The prebuilt target needs no network at all; the Maven stage needs Maven Central. (A daemon
  # without the default bridge, e.g. dockerd --bridge=none, needs an explicit network for RUN.)
  build_args+=(--network "${BUILD_NETWORK:-$([[ "$mode" == source ]] && echo host || echo none)}")
  say "docker build ($mode, builder $builder) -> $image"
  t0=$SECONDS
  check "build" "$docker" build -f "$here/Dockerfile.cpu" "${build_args[@]}" -t "$image" "$root"
  say "build took $((SECONDS - t0))s"
  [[ ${#failed[@]} -eq 0 ]] || finish
fi

user="$("$docker" image inspect -f '{{.Config.User}}' "$image" 2>/dev/null)"
if [[ "${user%%:*}" == "$uid" ]]; then ok "image-user-$uid"; else bad "image-user-$uid" "image user is '${user}'"; fi

# ---- the volume: a host folder writable by the image's user ----
vol="$(mktemp -d "${TMPDIR:-/tmp}/gaplab-smoke-vol.XXXXXX")"
if [[ "$(id -u)" == 0 ]]; then chown "$uid:$uid" "$vol"; else chmod 0777 "$vol"; fi
sweep_yaml="$vol.sweep.yaml"
clean_volume() {
  # the files belong to the image's user: remove them from inside a container
  "$docker" run --rm --network none -v "$vol:/data" --entrypoint find "$image" /data -mindepth 1 -delete > /dev/null 2>&1
  rmdir "$vol" 2> /dev/null || true
  rm -f "$sweep_yaml"
}
# every run: offline, the image's own user, the volume, and the sweep spec read-only
run() { "$docker" run --rm --network none -v "$vol:/data" -v "$sweep_yaml:/config/smoke-sweep.yaml:ro" "$image" "$@"; }
now() { echo "${EPOCHREALTIME:-$(date +%s)}"; }

# ---- info, and the start-up time it takes ----
cat > "$sweep_yaml" <<'YAML'
name: smoke-sweep
base: {steps: 60, batch_size: 64, eval: {size: 500}, schedule: {log_every: 30}}
grid: {data.sigma: [0.0, 0.6]}
seeds: {start: 0, count: 2}
YAML
chmod 0644 "$sweep_yaml"
t0="$(now)"
if run info > "$vol.info" 2>> "$log" && grep -Eq '^pytorch +2\.7\.1' "$vol.info" && grep -Eq '^flavor +cpu' "$vol.info"; then
  ok "info"
else
  bad "info" "$(head -c 300 "$vol.info" 2>/dev/null)"
fi
startup="$(awk -v a="$t0" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }')"
rm -f "$vol.info"

# ---- any user can run the image (docker run --user, as Apptainer and Slurm do) ----
if "$docker" run --rm --network none --user 4321:4321 "$image" info > /dev/null 2>> "$log"; then
  ok "info-as-another-uid"
else
  bad "info-as-another-uid"
fi

# ---- train into the volume ----
if run train --set steps=300 >> "$log" 2>&1; then ok "train-exit-0"; else bad "train-exit-0"; fi
run_dir="$(find "$vol/runs" -mindepth 1 -maxdepth 1 -type d -name 'modality-gap-*' 2>/dev/null | head -n 1)"
if [[ -n "$run_dir" && ! -e "$vol/runs/runs" ]]; then ok "train-in-volume-runs/<name>"; else bad "train-in-volume-runs/<name>" "no runs/modality-gap-* directly in the volume"; fi
files_ok=1
for f in config.json model.json provenance.json metrics.jsonl summary.json checkpoint.ckpt loss.png; do
  [[ -s "$run_dir/$f" ]] || { files_ok=0; say "missing $run_dir/$f"; }
done
grep -q '"status" *: *"completed"' "$run_dir/summary.json" 2>/dev/null || files_ok=0
if [[ "$files_ok" == 1 ]]; then ok "train-files"; else bad "train-files"; fi
name="$(basename "${run_dir:-none}")"

# ---- measure the run ----
if run measure --run "runs/$name" --subsamples 2 --permutations 0 --out measure >> "$log" 2>&1 \
    && [[ -s "$vol/measure/gap_report.json" ]]; then ok "measure"; else bad "measure"; fi

# ---- reproduce modality-gap --quick ----
if run reproduce modality-gap --quick >> "$log" 2>&1 && [[ -s "$vol/reproduce/modality-gap/summary.md" ]]; then
  ok "reproduce-quick"
else
  bad "reproduce-quick"
fi

# ---- a sweep in two shards, merged, against one unsharded process ----
sweep_ok=1
for i in 0 1; do
  run sweep --config /config/smoke-sweep.yaml --chunk 2 --shard "$i/2" --out "sweeps/shard-$i" >> "$log" 2>&1 || sweep_ok=0
done
if [[ "$sweep_ok" == 1 ]]; then ok "sweep-shards"; else bad "sweep-shards"; fi
if run merge sweeps/shard-0 sweeps/shard-1 --out sweeps/merged >> "$log" 2>&1 && [[ -s "$vol/sweeps/merged/runs.csv" ]]; then
  ok "merge"
else
  bad "merge"
fi
run sweep --config /config/smoke-sweep.yaml --chunk 2 --out sweeps/whole >> "$log" 2>&1
if [[ -s "$vol/sweeps/whole/runs.csv" ]] && [[ "$(wc -l < "$vol/sweeps/merged/runs.csv")" -eq 5 ]] \
    && cmp -s "$vol/sweeps/merged/runs.csv" "$vol/sweeps/whole/runs.csv"; then
  ok "merged-equals-unsharded"
else
  bad "merged-equals-unsharded" "sweeps/merged/runs.csv differs from sweeps/whole/runs.csv (or not 4 rows)"
fi

# ---- docker stop of a long train: SIGTERM -> checkpoint, exit 143; then --resume ----
cname="gaplab-smoke-$$"
"$docker" run -d --name "$cname" --network none -v "$vol:/data" "$image" train --set steps=1000000 --out runs/long >> "$log" 2>&1
for _ in $(seq 1 120); do  # until it has trained a while (a train line in metrics.jsonl)
  grep -q '"train"' "$vol/runs/long/metrics.jsonl" 2>/dev/null && break
  sleep 0.5
done
sleep 2
"$docker" stop -t 60 "$cname" >> "$log" 2>&1
code="$("$docker" wait "$cname" 2>/dev/null)"
"$docker" logs "$cname" >> "$log" 2>&1
"$docker" rm -f "$cname" > /dev/null 2>&1
if [[ "$code" == 143 && -s "$vol/runs/long/checkpoint.ckpt" ]] && grep -q '"status" *: *"interrupted"' "$vol/runs/long/summary.json" 2>/dev/null; then
  ok "stop-exit-143-with-checkpoint"
else
  bad "stop-exit-143-with-checkpoint" "exit code '$code'"
fi
done_steps="$(sed -n 's/.*"steps_total" *: *\([0-9][0-9]*\).*/\1/p' "$vol/runs/long/summary.json" 2>/dev/null | head -n 1)"
target=$(( ${done_steps:-0} + 200 ))
if [[ -n "$done_steps" ]] && run train --resume runs/long --set "steps=$target" >> "$log" 2>&1 \
    && grep -q '"status" *: *"completed"' "$vol/runs/long/summary.json" \
    && grep -Eq "\"steps_total\" *: *$target\b" "$vol/runs/long/summary.json"; then
  ok "resume-to-end"
else
  bad "resume-to-end" "stopped at step '${done_steps}', resume to $target"
fi

# ---- ownership: everything gaplab wrote belongs to the image's user ----
foreign="$(find "$vol" -mindepth 1 ! -uid "$uid" -print 2>/dev/null | head -n 5)"
if [[ -z "$foreign" ]]; then ok "owned-by-$uid"; else bad "owned-by-$uid" "$foreign"; fi

finish
