"""Shared fixtures: the real Rasa service (one per session), fresh databases, the app under test."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp
import asyncpg
import pytest

from bot import db
from nlu.rasa_env import MODEL_PATH, rasa_environment
from nlu.training import serve_command

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
POSTGRES_ADMIN = os.environ.get(
    "ONESTOP_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test"
)

_rasa: dict[str, object] = {}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def pytest_configure(config: pytest.Config) -> None:
    """Start the Rasa service at once (it needs about a minute) so unit tests run meanwhile."""
    if not MODEL_PATH.exists() or os.environ.get("ONESTOP_SKIP_RASA"):
        return
    port = free_port()
    ARTIFACTS.mkdir(exist_ok=True)
    log = (ARTIFACTS / "rasa-service.log").open("wb")
    process = subprocess.Popen(
        serve_command(port), env=rasa_environment(), stdout=log, stderr=subprocess.STDOUT
    )
    _rasa.update(process=process, url=f"http://127.0.0.1:{port}", log=log)


def pytest_unconfigure(config: pytest.Config) -> None:
    process = _rasa.get("process")
    if isinstance(process, subprocess.Popen):
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="session")
def rasa_url() -> Iterator[str]:
    """The URL of the real Rasa service with the trained model, once it answers."""
    process = _rasa.get("process")
    if not isinstance(process, subprocess.Popen):
        pytest.fail("no trained model: run `make model` (make test does it) before the tests")
    url = str(_rasa["url"])
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the Rasa service exited with {process.returncode}; see test-artifacts/")
        try:
            import urllib.request

            with urllib.request.urlopen(f"{url}/status", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    yield url
                    return
        except OSError:
            time.sleep(1)
    pytest.fail("the Rasa service did not answer within 240 s")


async def _create_postgres_database() -> tuple[str, str]:
    name = f"onestop_test_{uuid.uuid4().hex[:12]}"
    connection = await asyncpg.connect(POSTGRES_ADMIN)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    base = POSTGRES_ADMIN.rsplit("/", 1)[0]
    return name, f"{base}/{name}".replace("postgresql://", "postgresql+asyncpg://", 1)


async def _drop_postgres_database(name: str) -> None:
    connection = await asyncpg.connect(POSTGRES_ADMIN)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await connection.close()


@pytest.fixture(scope="session")
async def postgresql_url() -> AsyncIterator[str]:
    """A PostgreSQL database of this test run, migrated; dropped at the end."""
    name, url = await _create_postgres_database()
    await asyncio.to_thread(db.upgrade, url)
    yield url
    await _drop_postgres_database(name)


@pytest.fixture(scope="session")
async def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("sqlite") / "onestop.db"
    url = f"sqlite+aiosqlite:///{path}"
    await asyncio.to_thread(db.upgrade, url)
    return url


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest) -> str:
    """Each integration test that uses it runs on SQLite and on PostgreSQL."""
    return str(request.getfixturevalue(f"{request.param}_url"))


async def wait_for(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            try:
                async with session.get(url) as response:
                    if response.status < 500:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    raise TimeoutError(url)
