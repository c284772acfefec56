"""Where a record came from: the library versions, the code's version and git commit, the device and the CPU."""

from __future__ import annotations

import platform
import subprocess
from typing import Any

import torch
import torchvision

from imlp_core._version import __version__
from imlp_core.devices import cpu_description
from imlp_core.paths import repo_root


def git_commit() -> str | None:
    """The checkout's commit (with ``-dirty`` when it has uncommitted changes), or None outside git."""
    try:
        run = lambda *args: subprocess.run(["git", *args], cwd=repo_root(), capture_output=True, text=True, timeout=10)
        commit = run("rev-parse", "HEAD")
        if commit.returncode != 0:
            return None
        dirty = run("status", "--porcelain", "--untracked-files=no").stdout.strip()
        return commit.stdout.strip() + ("-dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return None


def environment_info(device: torch.device) -> dict[str, Any]:
    """What a record needs to be rerun: library versions, code version and the device; the CPU's model and the
    instruction set of torch's CPU kernels (:func:`~imlp_core.devices.cpu_description`), which with the torch
    version and the thread count say where the same numbers can be expected (records before them lack both)."""
    name = torch.cuda.get_device_name(device) if device.type == "cuda" else platform.processor() or platform.machine()
    return {
        "device": f"{device.type}: {name}",
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
        "imlp_core": __version__,
        "python": platform.python_version(),
        "git_commit": git_commit(),
        "num_threads": torch.get_num_threads(),
        "tf32_matmul": device.type == "cuda" and torch.backends.cuda.matmul.allow_tf32,
        **cpu_description(),
    }
