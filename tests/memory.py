"""Measuring a process's memory while code runs, for the memory tests and bench/report_runs.py:
``RssGrowth`` (the resident set sampled from /proc/self/statm) and ``in_forked_child`` (the
code run in a forked copy of the process, so each measurement starts from the same state and
none reuses memory an earlier one left behind). Linux only (/proc)."""

from __future__ import annotations

import ctypes
import gc
import os
import pickle
import select
import signal
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path


def rss() -> int:
    """The resident set size of this process, in bytes."""
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class RssGrowth:
    """The highest RSS while the ``with`` block runs minus the RSS when it starts (after a
    garbage collection and ``malloc_trim``, so free memory the process holds is given back
    first and counted again when the block needs it). Also ``seconds``."""

    def __init__(self, interval: float = 0.01):
        self.interval = interval

    def __enter__(self):
        gc.collect()
        ctypes.CDLL("libc.so.6").malloc_trim(0)
        self.before = self.peak = rss()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)
        self.thread.start()
        self.started = time.perf_counter()
        return self

    def _sample(self):
        while not self.stop.is_set():
            self.peak = max(self.peak, rss())
            time.sleep(self.interval)

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.started
        self.stop.set()
        self.thread.join()
        self.peak = max(self.peak, rss())
        self.growth = self.peak - self.before
        return False


class ChildFailed(RuntimeError):
    """The measured code raised in the child (the message holds its traceback), or the child
    did not answer in time."""


def in_forked_child(function: Callable[[], object], *, timeout: float = 300) -> dict:
    """``function()`` in a forked child under ``RssGrowth``: ``{"result", "growth", "seconds",
    "before"}``. The child shares the parent's open database connection (and so its
    transaction) unless ``function`` opens its own; it leaves with ``os._exit``, closing
    nothing. A child that raises or does not answer within ``timeout`` seconds (a fork of a
    threaded process can hang) raises ``ChildFailed`` here."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        try:
            os.close(read)
            with RssGrowth() as measure:
                result = function()
            answer = {"result": result, "growth": measure.growth, "seconds": measure.seconds, "before": measure.before}
        except BaseException:  # noqa: BLE001 - handed to the parent
            answer = {"error": traceback.format_exc()}
        with os.fdopen(write, "wb") as out:
            pickle.dump(answer, out)
        os._exit(0)
    os.close(write)
    ready, _, _ = select.select([read], [], [], timeout)
    if not ready:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(read)
        raise ChildFailed(f"the measured code did not answer within {timeout} s")
    with os.fdopen(read, "rb") as source:
        answer = pickle.load(source)  # noqa: S301 - our own child's answer
    os.waitpid(pid, 0)
    if "error" in answer:
        raise ChildFailed(answer["error"])
    return answer
