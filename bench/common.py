"""Helpers the benchmarks share: starting the Rasa service, percentiles, memory."""

from __future__ import annotations

import contextlib
import os
import socket
import statistics
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from nlu.rasa_env import MODEL_PATH, rasa_environment
from nlu.training import serve_command

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A TCP port on the loopback interface that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


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


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used so far, from /proc; 0 when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> float:
    """CPU time all cores have spent not idle since boot, from /proc/stat."""
    ticks = [int(t) for t in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    idle = ticks[3] + ticks[4]  # idle and iowait
    return (sum(ticks) - idle) / os.sysconf("SC_CLK_TCK")


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - our own http URL
            return True
    except OSError:
        return False


@contextlib.contextmanager
def started(
    command: list[str],
    *,
    ready_url: str,
    what: str,
    log: Path | None = None,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 240,
) -> Iterator[subprocess.Popen[bytes]]:
    """A server process started here, yielded once `ready_url` answers; stopped on the way out."""
    with contextlib.ExitStack() as stack:
        output = stack.enter_context(log.open("wb")) if log else subprocess.DEVNULL
        process = subprocess.Popen(
            command, env=env, cwd=cwd, stdout=output, stderr=subprocess.STDOUT
        )  # fmt: skip
        try:
            deadline = time.monotonic() + timeout
            while not _answers(ready_url):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"{what} did not start" + (f"; see {log}" if log else ""))
                time.sleep(1)
            yield process
        finally:
            warn_if_exited(stop(process), what, log)


def stop(process: subprocess.Popen[bytes], timeout: float = 30) -> int | None:
    """Terminate a process started here (killed if it does not stop in time); its exit code if
    it had already exited on its own, else None."""
    if process.poll() is not None:
        return process.returncode
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    return None


def warn_if_exited(code: int | None, what: str, log: Path | None) -> None:
    if code is not None:
        where = f"; see {log}" if log else ""
        print(f"  warning: {what} exited by itself (exit code {code}){where}", flush=True)


@contextlib.contextmanager
def rasa_service(port: int, log: Path | None = None) -> Iterator[subprocess.Popen[bytes]]:
    """The real Rasa NLU service with the trained model, started and stopped here."""
    if not MODEL_PATH.exists():
        raise SystemExit("no trained model: run `make model` first")
    with started(
        serve_command(port), ready_url=f"http://127.0.0.1:{port}/status",
        what="the Rasa service", log=log, env=rasa_environment(),
    ) as process:  # fmt: skip
        yield process
