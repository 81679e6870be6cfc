"""Schemathesis against `/api/v1/openapi.json` of the running server (real Rasa, SQLite): every
response is documented, matches its schema, and nothing answers 5xx, whatever is sent."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import Settings
from tests.conftest import ARTIFACTS, free_port
from tests.integration.helpers import WebVisitor, running_app
from tests.integration.officers import OfficerClient, make_officer

pytestmark = pytest.mark.integration
CONFIG = Path(__file__).with_name("schemathesis.toml")


def schemathesis(url: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            str(Path(sys.executable).with_name("schemathesis")),
            "--config-file",
            str(CONFIG),
            "run",
            url,
            "--workers",
            "1",  # CPython 3.11's ast.parse is not thread-safe (hypothesis calls it)
            "--seed",
            "20261122",
            "--no-color",
            "--generation-database",
            "none",
            "--report",
            "junit",
            "--report-dir",
            str(ARTIFACTS / "schemathesis"),
        ],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


async def test_the_api_keeps_its_contract_under_fuzzing(sqlite_url: str, rasa_url: str) -> None:
    settings = Settings(
        database_url=sqlite_url,
        rasa_url=rasa_url,
        rate_per_address_per_minute=1e9,
        rate_per_conversation_per_minute=1e9,
    )
    supervisor = await make_officer(sqlite_url, role="supervisor")
    port = free_port()
    async with running_app(settings, port=port) as client:
        visitor = await WebVisitor(client).start(lang="en")
        officer = await OfficerClient(client, supervisor).login()
        env = {
            "ONESTOP_VISITOR_TOKEN": visitor.token,
            "ONESTOP_CONVERSATION_ID": visitor.conversation_id,
            "ONESTOP_SUPERVISOR_TOKEN": officer.headers["Authorization"].removeprefix("Bearer "),
        }
        url = f"http://127.0.0.1:{port}/api/v1/openapi.json"
        result = await asyncio.to_thread(schemathesis, url, env)
    (ARTIFACTS / "schemathesis.log").write_text(result.stdout + result.stderr)
    assert result.returncode == 0, result.stdout[-6000:]
    assert "Authentication failed" not in result.stdout, result.stdout[-3000:]
