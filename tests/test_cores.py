"""`map_on_cores`: the calls really run side by side (a barrier two calls must reach together),
in order, and a failing call's exception reaches the caller."""

from __future__ import annotations

import os
import threading

import pytest

from graphbuild import cores


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: the calls run one after another")
def test_calls_run_side_by_side() -> None:
    meet = threading.Barrier(2, timeout=10)  # one call at a time would break it (BrokenBarrierError)
    assert cores.map_on_cores(lambda n: (meet.wait(), n * n)[1], [3, 4]) == [9, 16]


def test_results_keep_the_order_of_the_items() -> None:
    assert cores.map_on_cores(str.upper, list("abcdefgh")) == list("ABCDEFGH")


def test_one_call_failing_fails_the_map() -> None:
    def parse(text: str) -> int:
        return int(text)

    with pytest.raises(ValueError, match="'x'"):
        cores.map_on_cores(parse, ["1", "x", "3"])


def test_threads_one_per_core_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cores.os, "cpu_count", lambda: 16)
    assert cores.threads_for(2) == 2
    assert cores.threads_for(100) == cores.MAX_THREADS
    assert cores.threads_for(0) == 1
    monkeypatch.setattr(cores.os, "cpu_count", lambda: None)
    assert cores.threads_for(8) == 1
