"""A test hook: ``IMLP_TEST_PAUSE_AT=<event>[:<n>]`` (``TrainingSettings.pause_at``, read at the door and passed down)
makes the process print ``IMLP_TEST_PAUSED <event>`` and sleep at the n-th (default first) occurrence of a named
moment, so that a test can SIGKILL it exactly there; with ``IMLP_TEST_RESUME_FILE=PATH``
(``TrainingSettings.resume_file``) it goes on once PATH exists. Unset (always, outside tests), it does nothing.

Events, each counted by its caller (no count is kept here): ``epoch`` (after the first batch of each epoch the
process trains), ``record`` (a sweep's record's temporary file is complete, not yet renamed), ``between-sweeps``
(the command line has finished one seed's sweep).
"""

from __future__ import annotations

import time

from imlp_core.settings import TrainingSettings


def pause_point(event: str, occurrence: int, settings: TrainingSettings) -> None:
    """Pause here if ``settings.pause_at`` names ``event`` and this, its ``occurrence``-th (from 1), time."""
    wanted = settings.pause_at
    if not wanted:
        return
    name, _, nth = wanted.partition(":")
    if name == event and occurrence == int(nth or 1):
        print(f"IMLP_TEST_PAUSED {event}", flush=True)
        resume = settings.resume_file
        deadline = time.monotonic() + 3600
        while time.monotonic() < deadline and not (resume and resume.exists()):
            time.sleep(0.05)
