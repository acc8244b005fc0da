#!/usr/bin/env bash
# Builds the MKL CPU-features library into the jar's resources (see mkl_cpu_features.c).
# Called by Maven (engine/pom.xml, generate-resources). Without a C compiler, or off Linux x86-64,
# it says so and builds nothing: gaplab then runs MKL as libtorch ships it, and 'gaplab info'
# reports why the library is missing.
#   build.sh SOURCE_DIR OUTPUT_DIR
set -euo pipefail
src="$1"; out="$2"
if [[ "$(uname -s)" != Linux || "$(uname -m)" != x86_64 ]]; then
  echo "[gaplab] MKL CPU-features library: not built ($(uname -s) $(uname -m); it is for Linux x86-64 only)"
  exit 0
fi
# CC may be several words (e.g. "ccache gcc")
read -r -a cc <<< "${CC:-}"
if [[ ${#cc[@]} -eq 0 ]]; then
  for c in cc gcc clang; do
    if command -v "$c" > /dev/null 2>&1; then cc=("$c"); break; fi
  done
fi
if [[ ${#cc[@]} -eq 0 ]]; then
  echo "[gaplab] WARNING: no C compiler (cc, gcc or clang) found: the MKL CPU-features library is not built;"
  echo "[gaplab]          on AMD and other non-Intel x86-64 CPUs libtorch's matrix products run at about half speed."
  echo "[gaplab]          Install gcc (e.g. apt-get install gcc) and rebuild to fix that."
  exit 0
fi
mkdir -p "$out"
tmp="$out/.libgaplab_mkl_cpu_features.so.$$"
# no C runtime needed, no build id: the same source gives the same bytes. A compiler that fails
# (no linker, a broken CC) is a warning like a missing one: the build goes on without the library.
if ! "${cc[@]}" -O2 -fPIC -shared -nostdlib -Wl,--build-id=none -o "$tmp" "$src/mkl_cpu_features.c"; then
  rm -f "$tmp"
  echo "[gaplab] WARNING: '${cc[*]}' could not build the MKL CPU-features library (see above); building without it."
  exit 0
fi
mv -f "$tmp" "$out/libgaplab_mkl_cpu_features.so"
