"""Parse latency through `/api/v1/parse` and the NLU service's memory.

    .venv/bin/python -m bench.parse [--requests 600] [--rasa-url URL]

Sends held-out questions of all ten languages through the bot's parse endpoint (the bot's own
server, the real Rasa service): first each question once (cold: every parse goes to Rasa), then
the same mix again with repeats (warm: the bot's cache of normalised texts answers). Prints
p50/p95/p99 for both, Rasa's direct latency for comparison, and the Rasa process's RSS.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import time
from contextlib import nullcontext

import aiohttp
from aiohttp.test_utils import TestClient, TestServer

from bench.common import free_port, rasa_service, rss_mb, summary
from bot.settings import Settings
from bot.web.app import create_app
from nlu.evaluation import load_examples
from nlu.rasa_env import HELDOUT_DIR


async def measure(rasa_url: str, requests: int, tmp_db: str) -> None:
    texts = [text for _, _, text in load_examples(HELDOUT_DIR)]
    random.Random(7).shuffle(texts)
    cold_texts = texts[: requests // 2]
    warm_texts = [random.Random(i).choice(cold_texts) for i in range(requests // 2)]

    async with aiohttp.ClientSession() as direct:
        rasa_ms = []
        for text in cold_texts[:100]:
            started = time.perf_counter()
            async with direct.post(f"{rasa_url}/model/parse", json={"text": text + " ?"}) as r:
                await r.read()
            rasa_ms.append((time.perf_counter() - started) * 1000)

    settings = Settings(database_url=tmp_db, rasa_url=rasa_url, rate_per_address_per_minute=1e9)
    async with TestClient(TestServer(create_app(settings))) as client:

        async def run(batch: list[str]) -> list[float]:
            timings = []
            for text in batch:
                started = time.perf_counter()
                response = await client.post("/api/v1/parse", json={"text": text})
                await response.read()
                assert response.status == 200
                timings.append((time.perf_counter() - started) * 1000)
            return timings

        cold = await run(cold_texts)
        warm = await run(warm_texts)
    print(f"Rasa /model/parse directly ({len(rasa_ms)} texts):  {summary(rasa_ms)}")
    print(f"/api/v1/parse, cold ({len(cold)} distinct texts): {summary(cold)}")
    print(f"/api/v1/parse, warm ({len(warm)} repeated texts): {summary(warm)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=600)
    parser.add_argument("--rasa-url", help="use a running NLU service instead of starting one")
    args = parser.parse_args()
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        db = f"sqlite+aiosqlite:///{tmp}/bench.db"
        from bot import db as database

        database.upgrade(db)
        port = free_port()
        service = nullcontext() if args.rasa_url else rasa_service(port)
        with service as process:
            url = args.rasa_url or f"http://127.0.0.1:{port}"
            asyncio.run(measure(url, args.requests, db))
            if process is not None:
                print(f"NLU service memory (RSS): {rss_mb(process.pid):.0f} MB")


if __name__ == "__main__":
    main()
