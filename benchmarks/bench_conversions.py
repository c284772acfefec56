"""Time of the dense conversions for the paper's layer shapes (not a test).

S-CNN (Table 2): W_F by the identity probe (Eq. 6-7) and by the index scatter, with a cold and a warm
index-map cache; MLP-Mixer (Table 3): W_P = W~ L by shared_linear_to_dense. float32, as in training.

    .venv/bin/python benchmarks/bench_conversions.py [--device cuda]
"""

import argparse
import time
from collections.abc import Callable

import pandas as pd
import torch
from torch import nn

from imlp_core import conversions
from imlp_core.conversions import (
    conv2d_to_dense,
    patchify_permutation,
    shared_linear_to_dense,
    transpose_permutation,
)
from imlp_core.models import SCNN

S, C = 16, 128  # patches and channels of the paper's Mixer (Appendix D)
MIXER_LAYERS = [  # Table 3: (name, shared nn.Linear, shared_linear_to_dense arguments)
    ("patch embedding", nn.Linear(3 * 8 * 8, C), dict(repeats=S, in_perm=patchify_permutation(32, 32, 8, 3))),
    ("token MLP 1 (†)", nn.Linear(S, S), dict(repeats=C, in_perm=transpose_permutation(S, C))),
    ("token MLP 2 (††)", nn.Linear(S, S), dict(repeats=C, out_perm=transpose_permutation(C, S))),
    ("channel MLP", nn.Linear(C, C), dict(repeats=S)),
]


def _milliseconds(fn: Callable[[], object], device: torch.device, repeats: int) -> float:
    """Median wall time of ``fn`` in ms."""
    times = []
    for _ in range(repeats):
        if device.type == "cuda":
            torch.cuda.synchronize()
        start = time.perf_counter()
        fn()
        if device.type == "cuda":
            torch.cuda.synchronize()
        times.append(1e3 * (time.perf_counter() - start))
    return sorted(times)[len(times) // 2]


def time_conversions(device: torch.device | str = "cpu", repeats: int = 5) -> list[dict]:
    """One record per (layer, method): model, layer, dense_shape, dense_mib (float32), method, ms."""
    device = torch.device(device)
    records = []
    scnn = SCNN().to(device)
    for layer, (conv, shape) in enumerate(zip(scnn.convs, scnn.input_shapes), start=1):
        dense, _ = conv2d_to_dense(conv, shape)

        def index_cold() -> None:
            conversions._conv_index_map.cache_clear()
            conv2d_to_dense(conv, shape)

        methods = {"probe": lambda: conv2d_to_dense(conv, shape, method="probe"),
                   "index (cold cache)": index_cold,
                   "index (warm cache)": lambda: conv2d_to_dense(conv, shape)}
        for method, fn in methods.items():
            records.append(dict(model="S-CNN",
                                layer=f"Layer-{layer} {conv.in_channels}->{conv.out_channels} s{conv.stride[0]}",
                                dense_shape=tuple(dense.shape), dense_mib=dense.numel() * 4 / 2**20,
                                method=method, ms=_milliseconds(fn, device, repeats)))
    for name, linear, kwargs in MIXER_LAYERS:
        linear = linear.to(device)
        kwargs = {key: value.to(device) if torch.is_tensor(value) else value for key, value in kwargs.items()}
        dense, _ = shared_linear_to_dense(linear, **kwargs)
        records.append(dict(model="MLP-Mixer", layer=name, dense_shape=tuple(dense.shape),
                            dense_mib=dense.numel() * 4 / 2**20, method="shared_linear_to_dense",
                            ms=_milliseconds(lambda: shared_linear_to_dense(linear, **kwargs), device, repeats)))
    return records


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    torch.set_num_threads(1)
    table = pd.DataFrame(time_conversions(args.device))
    table["dense_shape"] = table["dense_shape"].map(lambda s: f"{s[0]}x{s[1]}")
    print(f"Dense conversion time in ms (median of 5, {args.device}, 1 thread); dense matrices in float32.\n")
    for model, rows in table.groupby("model", sort=False):
        wide = rows.pivot_table(index=["layer", "dense_shape", "dense_mib"], columns="method", values="ms",
                                sort=False).reset_index()
        print(f"{model}\n{wide.to_markdown(index=False, floatfmt='.2f')}\n")

if __name__ == "__main__":
    main()
