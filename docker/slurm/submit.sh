#!/usr/bin/env bash
# Submits the shard array, then the merge to run only if every shard succeeded. Extra arguments go
# to the shard array's sbatch (e.g. --array=0-3 --partition=gpu). The GAPLAB_* variables
# of sweep-array.sbatch pass through (sbatch exports the environment).
#   GAPLAB_SWEEP_CONFIG=$PWD/S.yaml GAPLAB_RUNS=$PWD/runs docker/slurm/submit.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
array_id="$(sbatch --parsable "$@" "$here/sweep-array.sbatch")"
array_id="${array_id%%;*}"
merge_id="$(sbatch --parsable --dependency="afterok:${array_id}" "$here/merge.sbatch")"
echo "shards: job ${array_id}; merge: job ${merge_id} (runs after all shards succeed)"
