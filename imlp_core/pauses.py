"""A test hook: ``IMLP_TEST_PAUSE_AT=<event>[:<n>]`` makes the process print ``IMLP_TEST_PAUSED <event>`` and sleep
at the n-th (default first) occurrence of a named moment, so that a test can SIGKILL it exactly there; with
``IMLP_TEST_RESUME_FILE=PATH`` it goes on once PATH exists. Unset (always, outside tests), it does nothing.

Events, each counted by its caller (no count is kept here): ``epoch`` (after the first batch of each epoch the
process trains), ``record`` (a sweep's record's temporary file is complete, not yet renamed), ``between-sweeps``
(the command line has finished one seed's sweep).
"""

from __future__ import annotations

import os
import time

PAUSE_ENV = "IMLP_TEST_PAUSE_AT"


def pause_point(event: str, occurrence: int) -> None:
    """Pause here if ``IMLP_TEST_PAUSE_AT`` names ``event`` and this, its ``occurrence``-th (from 1), time."""
    wanted = os.environ.get(PAUSE_ENV)
    if not wanted:
        return
    name, _, nth = wanted.partition(":")
    if name == event and occurrence == int(nth or 1):
        print(f"IMLP_TEST_PAUSED {event}", flush=True)
        resume = os.environ.get("IMLP_TEST_RESUME_FILE")
        deadline = time.monotonic() + 3600
        while time.monotonic() < deadline and not (resume and os.path.exists(resume)):
            time.sleep(0.05)
