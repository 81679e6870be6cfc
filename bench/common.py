"""Helpers the benchmarks share: starting the Rasa service, percentiles, memory."""

from __future__ import annotations

import contextlib
import statistics
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from nlu.rasa_env import MODEL_PATH, rasa_environment
from nlu.training import serve_command

ROOT = Path(__file__).resolve().parent.parent


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def summary(values: list[float]) -> str:
    return (
        f"p50 {percentile(values, 50):7.2f} ms  p95 {percentile(values, 95):7.2f} ms  "
        f"p99 {percentile(values, 99):7.2f} ms  mean {statistics.fmean(values):7.2f} ms"
    )


def rss_mb(pid: int) -> float:
    """Resident memory of a process and its children, in MB (from /proc)."""
    total = 0
    pids = [pid]
    with contextlib.suppress(OSError):
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
        pids += [int(c) for c in children]
    for p in pids:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
    return total / 1024


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - our own http URL
            return True
    except OSError:
        return False


@contextlib.contextmanager
def rasa_service(port: int) -> Iterator[subprocess.Popen[bytes]]:
    """The real Rasa NLU service with the trained model, started and stopped here."""
    if not MODEL_PATH.exists():
        raise SystemExit("no trained model: run `make model` first")
    process = subprocess.Popen(
        serve_command(port), env=rasa_environment(),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 240
        while not _answers(f"http://127.0.0.1:{port}/status"):
            if time.monotonic() > deadline:
                raise SystemExit("the Rasa service did not start")
            time.sleep(1)
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)
