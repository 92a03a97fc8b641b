"""Memory of a crawl as the machine sees it: the resident memory of a process and all its
descendants (the crawl and its page workers), sampled while it runs (Linux /proc)."""

from __future__ import annotations

import os
import threading
from pathlib import Path


def tree_rss(pid: int) -> int:
    """Resident bytes of a process and all its descendants, from /proc (Linux)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
            fields = text[text.rindex(")") + 2:].split()
            child = int(stat.parent.name)
            children.setdefault(int(fields[1]), []).append(child)
            rss[child] = int(fields[21]) * PAGE_SIZE
        except (OSError, ValueError, IndexError):
            continue  # gone while we looked
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += rss.get(p, 0)
        todo += children.get(p, [])
    return total


PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


class PeakMemory:
    """The highest `tree_rss` of a running process, sampled every `every` seconds until it ends."""

    def __init__(self, pid: int, every: float = 0.05):
        self.pid, self.every, self.peak, self.samples = pid, every, 0, 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._done.is_set():
            self.peak = max(self.peak, tree_rss(self.pid))
            self.samples += 1
            self._done.wait(self.every)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._done.set()
        self._thread.join()
