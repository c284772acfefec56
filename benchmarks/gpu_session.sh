#!/usr/bin/env bash
# How the GPU numbers of the README were made: run from the repository root on a GPU machine that has
# PyTorch and torchvision (no install needed), in pieces that each end within a time limit.
#
#   benchmarks/gpu_session.sh STEP [STEP ...]
#     tests        tests/test_gpu.py (determinism, CUDA graph = eager, batched vs separate, alpha = 1, bf16);
#                  if the CUDA graph test fails, the later steps train without graphs (IMLP_CUDA_GRAPHS=0)
#     bench        benchmarks/bench.py --device cuda  -> $OUT/bench.log, $OUT/benchmarks_gpu.json
#     cnn | mixer | schedules | first_layer
#                  that experiment of the paper profile on CIFAR-10, seeds $SEEDS (default 0 1 2)
#     paper-test   the next missing pieces of the interval study of $PROFILE (default paper) on $DATASET (default
#                  cifar10), as many as fit: the paper-scale test of notebook 09's prediction (benchmarks/paper_test.py;
#                  $PIECES: only these, numbered as its listing numbers them; $ALPHA_CHUNK: pieces of at most that many
#                  I-MLPs). `PROFILE=smoke DATASET=synthetic` runs it on a CPU (tests/test_paper_test.py)
#     precision    the CNN alpha sweep, seed 0, $CHECK_EPOCHS epochs (default 10), in float32 (TF32) and in bf16
#                  autocast: the same-seed accuracy check of mixed precision -> $OUT/precision.tgz
#
# CIFAR-10 comes from the JPEG copy in $TARBALL (default .carry/cifar10-jpeg.tar.gz). The steps that train
# write into the store $IMLP_OUTPUT_DIR/results/runs (default results/paper-h100/results/runs, the committed
# GPU records: a run stored there is not trained again) and end by packing the records this session wrote into
# $OUT/runs.tgz; unpack it into that folder at home (tar xzf runs.tgz -C results/paper-h100/results/runs), commit,
# and the notebooks read them (docs/profiles.md). A step is cut after $STEP_TIMEOUT seconds (default 540), and
# every step ends by $DEADLINE seconds after the start (default 570); a sweep cut mid-way loses only its own
# progress: the finished sweeps' records are kept.
set -u
export PYTHONUNBUFFERED=1 PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
OUT=${OUT:-build/gpu}
PY=${PYTHON:-python3}
TARBALL=${TARBALL:-.carry/cifar10-jpeg.tar.gz}
SEEDS=${SEEDS:-0 1 2}
PROFILE=${PROFILE:-paper} DATASET=${DATASET:-cifar10}
STORE=${IMLP_OUTPUT_DIR:-results/paper-h100}
RUNS="$STORE/results/runs"
mkdir -p "$OUT" "$RUNS"
SESSION_START=$(mktemp)  # save_runs packs the records written after it
trap 'rm -f "$SESSION_START"' EXIT

if [ "$DATASET" = cifar10 ]; then
  if [ ! -d data/cifar10-jpeg ]; then
    mkdir -p data && tar xzf "$TARBALL" -C data || { echo "cannot unpack $TARBALL" >&2; exit 1; }
  fi
  export IMLP_DATASET_CIFAR10="$PWD/data/cifar10-jpeg"
fi
if command -v nvidia-smi >/dev/null; then  # the GPU machine (a CPU run, as the tests make, skips seconds of imports)
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
  $PY -c "import torch, torchvision; print('torch', torch.__version__, 'torchvision', torchvision.__version__)"
fi

# The records this session wrote, packed relative to the store's runs folder (all sessions' packs unpack there).
save_runs() {
  find "$RUNS" -maxdepth 1 -type f -name '*.json' -newer "$SESSION_START" -printf '%f\n' \
    | tar czf "$OUT/runs.tgz" -C "$RUNS" -T -
  echo "packed $(tar tzf "$OUT/runs.tgz" | wc -l) records written this session into $OUT/runs.tgz (unpack into $RUNS)"
}
step_limit() {  # the seconds the next step may take
  local left=$(( ${DEADLINE:-570} - SECONDS )) limit=${STEP_TIMEOUT:-540}
  echo $(( left < limit ? left : limit ))
}
limited() {
  local limit
  limit=$(step_limit)
  (( limit < 15 )) && { echo "no time left for: $*"; return 124; }
  timeout --signal=INT --kill-after=10 "$limit" "$@"
}

for step in "$@"; do
  echo "=== $step ($(date +%T))"
  start=$SECONDS
  case "$step" in
    tests) limited $PY -m pytest -q -rA -p no:cacheprovider tests/test_gpu.py -k "not graph"
           limited $PY -m pytest -q -rA -s -p no:cacheprovider tests/test_gpu.py -k graph \
             || { echo "the CUDA graph test failed: training eagerly from here on"; export IMLP_CUDA_GRAPHS=0; } ;;
    bench) limited $PY benchmarks/bench.py --device cuda 2>&1 | tee "$OUT/bench.log"
           cp results/benchmarks.json "$OUT/benchmarks_gpu.json" ;;
    cnn|mixer|schedules|first_layer)
           IMLP_OUTPUT_DIR=$STORE limited $PY -m imlp_core experiments "$step" --profile paper --datasets cifar10 \
             --seeds $SEEDS
           save_runs ;;
    paper-test)
           test_args=(--profile "$PROFILE" --dataset "$DATASET" ${ALPHA_CHUNK:+--chunk $ALPHA_CHUNK})
           # the next piece starts only while the slowest so far fits, 20 s kept for packing
           IMLP_OUTPUT_DIR=$STORE limited $PY benchmarks/paper_test.py "${test_args[@]}" ${PIECES:+--pieces $PIECES} \
             --seconds $(( $(step_limit) - 20 ))
           if (( $? == 124 )); then
             echo "cut at the time limit: the cut piece trains again whole next time (ALPHA_CHUNK=N makes pieces smaller)"
             IMLP_OUTPUT_DIR=$STORE $PY benchmarks/paper_test.py "${test_args[@]}" --left
           fi
           save_runs ;;
    precision)
           for precision in float32 bf16; do
             limited $PY -m imlp_core train --prior cnn --dataset cifar10 --precision $precision --seeds 0 \
               --epochs ${CHECK_EPOCHS:-10} --results results/precision-check \
               --alphas $($PY -c "from imlp_core.profiles import ALPHA_GRID; print(*ALPHA_GRID)")
           done
           tar czf "$OUT/precision.tgz" --exclude='.*' -C results precision-check ;;
    *) echo "unknown step $step" >&2; exit 2 ;;
  esac
  echo "=== $step took $((SECONDS - start)) s"
done
