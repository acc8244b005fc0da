#!/usr/bin/env bash
# Makes Debian-based stand-ins for the public base images of docker/Dockerfile.cpu, for machines
# that can reach a Debian mirror but no image registry (air-gapped sites, offline CI):
#
#   local/debian:bookworm       debootstrap --variant=minbase bookworm, imported with docker import
#   local/gaplab-jre:17         + openjdk-17-jre-headless        (stands in for JRE_IMAGE)
#   local/gaplab-maven:17       + openjdk-17-jdk-headless maven gcc  (stands in for MAVEN_IMAGE; only
#                                 needed to build from source inside Docker)
#
# The Debian mirror is the one apt uses on this host (first bookworm entry of /etc/apt/sources.list
# or /etc/apt/sources.list.d/), unless DEBIAN_MIRROR is set. Images that exist already are kept
# (FORCE=1 remakes them). Needs root (debootstrap), docker, debootstrap.
# --trust-host-cas adds this host's local CA certificates (/usr/local/share/ca-certificates) to the
# Maven stand-in, for sites whose egress proxy re-signs TLS: without them Maven in the build stage
# fails with "PKIX path building failed".
#
#   sudo docker/make-debian-bases.sh [--with-maven] [--trust-host-cas]
#   docker build -f docker/Dockerfile.cpu --target runtime-prebuilt \
#     --build-arg JRE_IMAGE=local/gaplab-jre:17 -t gaplab:cpu .
set -euo pipefail

die() { echo "make-debian-bases: error: $*" >&2; exit 2; }
say() { echo "make-debian-bases: $*" >&2; }

with_maven=0
host_cas=0
for a in "$@"; do
  case "$a" in
    --with-maven) with_maven=1 ;;
    --trust-host-cas) host_cas=1 ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *) die "unknown argument '$a' (try --help)" ;;
  esac
done

docker="${DOCKER:-docker}"
command -v "$docker" >/dev/null 2>&1 || die "docker not found (set DOCKER=/path/to/docker)"
"$docker" info >/dev/null 2>&1 || die "the docker daemon is not reachable (is dockerd running, may you use it?)"
suite="${DEBIAN_SUITE:-bookworm}"
network="${DOCKER_NETWORK:-host}"

have() { [[ "${FORCE:-0}" != 1 ]] && "$docker" image inspect "$1" >/dev/null 2>&1; }

# The mirror apt uses: deb822 .sources files (URIs:/Suites:) or one-line sources.list entries.
apt_mirror() {
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -f "$f" ]] || continue
    awk -v suite="$suite" '
      /^[[:space:]]*$/ { if (uri != "" && suites ~ ("(^| )" suite "( |$)")) { print uri; exit } uri = ""; suites = ""; next }
      /^URIs:/ { uri = $2 } /^Suites:/ { $1 = ""; suites = $0 }
      END { if (uri != "" && suites ~ ("(^| )" suite "( |$)")) print uri }' "$f" | grep -v security | head -n 1
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -f "$f" ]] || continue
    awk -v suite="$suite" '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i !~ /^\[/) { if ($(i + 1) == suite) print $i; break } }' "$f"
  done
}

if ! have local/debian:"$suite"; then
  command -v debootstrap >/dev/null 2>&1 || die "debootstrap not found (apt-get install debootstrap)"
  [[ "$(id -u)" == 0 ]] || die "debootstrap needs root"
  mirror="${DEBIAN_MIRROR:-$(apt_mirror | head -n 1)}"
  [[ -n "$mirror" ]] || die "no '$suite' mirror found in apt's sources; set DEBIAN_MIRROR=http://..."
  root="$(mktemp -d "${TMPDIR:-/tmp}/debian-$suite.XXXXXX")"
  trap 'rm -rf "$root"' EXIT
  say "debootstrap --variant=minbase $suite from $mirror (a few minutes)"
  debootstrap --variant=minbase "$suite" "$root" "$mirror" > "$root.log" 2>&1 \
    || { tail -n 20 "$root.log" >&2; die "debootstrap failed (log above)"; }
  rm -f "$root.log"
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
  tar -C "$root" -c . | "$docker" import - local/debian:"$suite" >/dev/null
  rm -rf "$root"; trap - EXIT
  say "made local/debian:$suite"
fi

# A small image from local/debian plus some packages (and, with CAS set, extra CA certificates).
derive() {
  local tag="$1"; shift
  have "$tag" && { say "$tag exists (FORCE=1 remakes it)"; return; }
  local ctx; ctx="$(mktemp -d "${TMPDIR:-/tmp}/gaplab-base.XXXXXX")"
  mkdir -p "$ctx/cas"
  printf '%s\n' "FROM local/debian:$suite" \
    "RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $* \\" \
    " && apt-get clean && rm -rf /var/lib/apt/lists/*" > "$ctx/Dockerfile"
  if [[ -n "${CAS:-}" ]]; then
    cp $CAS "$ctx/cas/"
    printf '%s\n' "COPY cas/ /usr/local/share/ca-certificates/" "RUN update-ca-certificates > /dev/null" >> "$ctx/Dockerfile"
  fi
  "$docker" build --network "$network" -q -t "$tag" "$ctx" > /dev/null || { rm -rf "$ctx"; die "building $tag failed"; }
  rm -rf "$ctx"
  say "made $tag ($*${CAS:+, host CA certificates})"
}
derive local/gaplab-jre:17 openjdk-17-jre-headless
if [[ "$with_maven" == 1 ]]; then
  if [[ "$host_cas" == 1 ]]; then
    CAS="$(ls /usr/local/share/ca-certificates/*.crt 2> /dev/null | tr '\n' ' ')"
    [[ -n "$CAS" ]] || die "--trust-host-cas: no /usr/local/share/ca-certificates/*.crt on this host"
    CAS="$CAS" derive local/gaplab-maven:17 openjdk-17-jdk-headless maven gcc ca-certificates-java
  else
    derive local/gaplab-maven:17 openjdk-17-jdk-headless maven gcc
  fi
fi
