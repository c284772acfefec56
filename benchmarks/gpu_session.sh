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
#     precision    the CNN alpha sweep, seed 0, $CHECK_EPOCHS epochs (default 10), in float32 (TF32) and in bf16
#                  autocast: the same-seed accuracy check of mixed precision -> $OUT/precision.tgz
#
# CIFAR-10 comes from the JPEG copy in $TARBALL (default .carry/cifar10-jpeg.tar.gz). Every step that
# trains ends by packing the run records into $OUT/runs.tgz; unpack them into results/runs/ at home
# and the notebooks read them (IMLP_PROFILE=paper). A step is cut after $STEP_TIMEOUT seconds (default
# 540), and every step ends by $DEADLINE seconds after the start (default 570); a sweep cut mid-way
# loses only its own progress: the finished sweeps' records are kept.
set -u
export PYTHONUNBUFFERED=1 PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
OUT=${OUT:-build/gpu}
PY=${PYTHON:-python3}
TARBALL=${TARBALL:-.carry/cifar10-jpeg.tar.gz}
SEEDS=${SEEDS:-0 1 2}
mkdir -p "$OUT"

if [ ! -d data/cifar10-jpeg ]; then
  mkdir -p data && tar xzf "$TARBALL" -C data || { echo "cannot unpack $TARBALL" >&2; exit 1; }
fi
export IMLP_DATASET_CIFAR10="$PWD/data/cifar10-jpeg"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
$PY -c "import torch, torchvision; print('torch', torch.__version__, 'torchvision', torchvision.__version__)"

save_runs() { tar czf "$OUT/runs.tgz" --exclude='.*' -C results runs; }
limited() {
  local left=$(( ${DEADLINE:-570} - SECONDS )) limit=${STEP_TIMEOUT:-540}
  (( left < limit )) && limit=$left
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
           limited $PY -m imlp_core experiments "$step" --profile paper --datasets cifar10 --seeds $SEEDS
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
