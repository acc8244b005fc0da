#!/usr/bin/env bash
# Submits the shard array, then the merge to run only if every shard succeeded. NOT YET RUN ANYWHERE.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
array_id="$(sbatch --parsable "$here/sweep-array.sbatch")"
array_id="${array_id%%;*}"
merge_id="$(sbatch --parsable --dependency="afterok:${array_id}" "$here/merge.sbatch")"
echo "shards: job ${array_id}; merge: job ${merge_id} (runs after all shards succeed)"
