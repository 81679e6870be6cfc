"""Stop `onestop serve` mid-conversation, start it again: the conversation goes on."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import aiohttp
import pytest

from domain.i18n import translations_for
from domain.responses import TEXTS
from tests.conftest import ARTIFACTS, ROOT, free_port, wait_for

pytestmark = pytest.mark.integration


@contextmanager
def serve(
    database_url: str,
    rasa_url: str,
    port: int,
    log_name: str,
    extra_env: dict[str, str] | None = None,
) -> Iterator[subprocess.Popen[bytes]]:
    """`onestop serve` as its own process (Telegram only when `extra_env` configures it)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("TELEGRAM_")}
    env.update(
        {
            "DATABASE_URL": database_url,
            "RASA_URL": rasa_url,
            "PORT": str(port),
            "HOST": "127.0.0.1",
            **(extra_env or {}),
        }
    )
    ARTIFACTS.mkdir(exist_ok=True)
    with (ARTIFACTS / log_name).open("wb") as log:
        process = subprocess.Popen(
            [str(Path(sys.executable).with_name("onestop")), "serve"],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            yield process
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=30)


async def test_a_restart_loses_nothing(database_url: str, rasa_url: str) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    async with aiohttp.ClientSession(base) as http:
        with serve(database_url, rasa_url, port, "restart-1.log"):
            await wait_for(f"{base}/healthz")
            async with http.post("/api/v1/conversations", json={}) as response:
                created = await response.json()
            headers = {"Authorization": f"Bearer {created['token']}"}
            url = f"/api/v1/conversations/{created['conversation_id']}/messages"
            async with http.post(url, json={"text": "/language ko"}, headers=headers) as response:
                assert response.status == 200

        with serve(database_url, rasa_url, port, "restart-2.log"):
            await wait_for(f"{base}/healthz")
            async with http.post(url, json={"text": "hello"}, headers=headers) as response:
                after_restart = await response.json()
            async with http.get(url, headers=headers) as response:
                history = await response.json()

    korean_greeting = translations_for("ko").gettext(TEXTS["greet"])
    assert after_restart["messages"][0]["text"] == korean_greeting
    assert after_restart["state"]["lang"] == "ko"
    assert [m["seq"] for m in history["messages"]] == list(range(1, len(history["messages"]) + 1))
    assert history["messages"][0]["direction"] == "in"
