"""``make lab``: JupyterLab on ``notebooks/`` with the project's kernel, on 127.0.0.1, and its URL printed.

    python -m imlp_core.lab [--port N] [--no-browser]

It runs the JupyterLab of this interpreter's environment (the ``.venv`` of ``make reproduce``), whose
``imlp`` kernel the notebooks name. Two settings keep the committed notebooks clean:

* checkpoints go to ``build/lab/checkpoints/``, not ``notebooks/.ipynb_checkpoints/``;
* autosave is off by default (``overrides.json`` of this environment's JupyterLab; a reader may turn it
  on again in Settings), so a notebook on disk changes only when the reader saves it (File > Save).

A notebook opens with the kernel it names (``imlp``) started, without the kernel dialog.

The browser tests (``tests/test_browser.py``) start JupyterLab through :func:`start`, with these settings.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from imlp_core.paths import repo_root
from imlp_core.settings import Settings

HOST = "127.0.0.1"
# JupyterLab settings this project changes from JupyterLab's defaults (a reader's own settings still win).
SETTINGS_OVERRIDES = {
    "@jupyterlab/docmanager-extension:plugin": {"autosave": False},
    "@jupyterlab/apputils-extension:notification": {"checkForUpdates": False, "fetchNews": "false"},
    # Start the kernel a notebook names (the project's "imlp") without asking which one.
    "@jupyterlab/notebook-extension:tracker": {"autoStartDefaultKernel": True},
}


@dataclass
class Lab:
    """A running JupyterLab server."""

    process: subprocess.Popen
    port: int
    token: str

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/lab?token={self.token}"

    def notebook_url(self, name: str) -> str:
        """The notebook ``name`` alone in a fresh workspace (``reset``)."""
        return f"http://{HOST}:{self.port}/lab/tree/{name}?reset&token={self.token}"

    def stop(self, timeout: float = 20) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def write_settings_overrides() -> Path:
    """Merge :data:`SETTINGS_OVERRIDES` into this environment's JupyterLab ``overrides.json``; returns its path."""
    path = Path(sys.prefix) / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    current = json.loads(path.read_text()) if path.is_file() else {}
    for plugin, settings in SETTINGS_OVERRIDES.items():
        current[plugin] = {**current.get(plugin, {}), **settings}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(current, indent=2) + "\n")
    return path


def lab_command(port: int, token: str, checkpoints: Path, open_browser: bool,
                extra: Sequence[str] = ()) -> list[str]:
    """The ``jupyter lab`` command line: notebooks/ as the root, 127.0.0.1 only, checkpoints outside notebooks/."""
    return [sys.executable, "-m", "jupyterlab",
            f"--ServerApp.ip={HOST}", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={repo_root() / 'notebooks'}",
            f"--ServerApp.open_browser={open_browser}",
            # FileCheckpoints joins this to each notebook's folder; an absolute path replaces that folder.
            f"--FileCheckpoints.checkpoint_dir={checkpoints.resolve()}",
            *(["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []),  # CI containers run as root
            *extra]


def start(port: int | None = None, checkpoints: Path | None = None, open_browser: bool = False,
          env: dict[str, str] | None = None, extra: Sequence[str] = (), log: Path | None = None,
          timeout: float = 180) -> Lab:
    """Start JupyterLab and return once its server answers (RuntimeError with its log if it exits or times out)."""
    write_settings_overrides()
    port = port or free_port()
    token = secrets.token_hex(16)
    checkpoints = checkpoints or repo_root() / "build" / "lab" / "checkpoints"
    checkpoints.mkdir(parents=True, exist_ok=True)
    output = open(log, "w") if log else None
    process = subprocess.Popen(lab_command(port, token, checkpoints, open_browser, extra), cwd=repo_root(),
                               env=env, stdout=output, stderr=subprocess.STDOUT if output else None)
    lab = Lab(process, port, token)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"JupyterLab exited with status {process.returncode}"
                               + (f"; its log: {log}\n{Path(log).read_text()[-3000:]}" if log else ""))
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/api/status?token={token}", timeout=2):
                return lab
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5)
    lab.stop()
    raise RuntimeError(f"JupyterLab did not answer on port {port} within {timeout:.0f} s"
                       + (f"; its log: {log}" if log else ""))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m imlp_core.lab", description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=Settings.from_environment().lab_port,
                        help="port on 127.0.0.1 (default: IMLP_LAB_PORT, else a free one)")
    parser.add_argument("--no-browser", action="store_true", help="only print the URL")
    args = parser.parse_args(argv)
    try:
        lab = start(args.port, open_browser=not args.no_browser)
    except RuntimeError as error:
        print(f"make lab: {error}", file=sys.stderr)
        return 1
    print(f"\nJupyterLab (kernel 'Python (imlp)' from {sys.prefix}) is running on the notebooks:\n\n"
          f"    {lab.url}\n\nStop it with Ctrl-C.", flush=True)
    try:
        return lab.process.wait()
    except KeyboardInterrupt:
        lab.stop()
        return 0


if __name__ == "__main__":
    sys.exit(main())
