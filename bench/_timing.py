"""Shared by the benchmark scripts: CPU time per call of an in-process function."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def cpu_ms(fn: Callable[[], object], runs: int, *, warmup: int = 5) -> tuple[float, float]:
    """(median, 90th percentile) CPU milliseconds per call, after ``warmup`` calls."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(runs):
        started = time.process_time_ns()
        fn()
        samples.append((time.process_time_ns() - started) / 1e6)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.9) - 1]
