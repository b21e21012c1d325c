"""`release_free_memory`: freed C-heap memory really leaves the process (RSS falls), and where
there is nothing to ask (not Linux, no glibc) it says so instead of failing."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from graphbuild import memory


def _rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS in /proc/self/status")


@pytest.mark.skipif(memory._malloc_trim() is None, reason="no glibc malloc_trim here")
def test_freed_heap_memory_leaves_the_process() -> None:
    # 2 KB blocks come from malloc's heap (not mmap); keeping every 50th pins the heap's top, so
    # freeing the rest leaves free pages inside it that only a trim gives back
    blocks = [bytes(2048) for _ in range(100_000)]  # ~200 MiB
    kept = blocks[::50]
    del blocks
    before = _rss_mib()
    assert memory.release_free_memory() is True
    after = _rss_mib()
    assert before - after > 50, (before, after)
    assert len(kept) == 2000


def test_nothing_to_ask_off_linux(monkeypatch: pytest.MonkeyPatch) -> None:
    memory._malloc_trim.cache_clear()
    monkeypatch.setattr(sys, "platform", "darwin")
    try:
        assert memory.release_free_memory() is False
    finally:
        memory._malloc_trim.cache_clear()
