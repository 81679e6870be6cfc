"""The bot's client for the Rasa NLU service (`POST /model/parse`)."""

from __future__ import annotations

import asyncio
import logging
import time
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import aiohttp
from cachetools import LRUCache
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_attempt, wait_exponential

log = logging.getLogger(__name__)


class NluUnavailable(Exception):
    """The NLU service could not be reached or answered with an error."""


@dataclass(frozen=True)
class Parse:
    """What Rasa made of a text."""

    intent: str | None
    confidence: float
    ranking: tuple[tuple[str, float], ...] = ()
    entities: tuple[Mapping[str, Any], ...] = field(default_factory=tuple)


class Parser(Protocol):
    """Anything that turns a text into a `Parse` (the Rasa client, or a fake in unit tests)."""

    async def parse(self, text: str) -> Parse: ...


def normalize_for_cache(text: str) -> str:
    """The cache key: case, width and spacing differences do not change the meaning."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def parse_from_rasa(payload: Mapping[str, Any]) -> Parse:
    intent = payload.get("intent") or {}
    ranking = tuple(
        (str(item["name"]), float(item.get("confidence", 0.0)))
        for item in payload.get("intent_ranking") or ()
    )
    return Parse(
        intent=intent.get("name"),
        confidence=float(intent.get("confidence") or 0.0),
        ranking=ranking,
        entities=tuple(payload.get("entities") or ()),
    )


class RasaClient:
    """Calls Rasa's HTTP API with a timeout, retries, and an LRU cache of recent parses."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        base_url: str,
        *,
        timeout_seconds: float = 3.0,
        attempts: int = 2,
        cache_size: int = 4096,
        observe: Callable[[float, bool], None] | None = None,
    ) -> None:
        self._session = session
        self._url = base_url.rstrip("/") + "/model/parse"
        self._status_url = base_url.rstrip("/") + "/status"
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self._attempts = attempts
        self._cache: LRUCache[str, Parse] = LRUCache(maxsize=cache_size)
        # Told (seconds, succeeded) after each call that went to the service.
        self._observe = observe or (lambda seconds, ok: None)

    async def parse(self, text: str) -> Parse:
        key = normalize_for_cache(text)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        started = time.perf_counter()
        try:
            async for attempt in AsyncRetrying(
                stop=stop_after_attempt(self._attempts),
                wait=wait_exponential(multiplier=0.1, max=1),
                retry=retry_if_exception_type((aiohttp.ClientError, asyncio.TimeoutError)),
                reraise=True,
            ):
                with attempt:
                    async with self._session.post(
                        self._url, json={"text": text}, timeout=self._timeout
                    ) as response:
                        response.raise_for_status()
                        payload = await response.json()
        except (TimeoutError, aiohttp.ClientError, ValueError) as error:
            log.warning("NLU service unavailable: %s", type(error).__name__)
            self._observe(time.perf_counter() - started, False)
            raise NluUnavailable(str(error)) from error
        self._observe(time.perf_counter() - started, True)
        result = parse_from_rasa(payload)
        self._cache[key] = result
        return result

    async def is_up(self) -> bool:
        try:
            async with self._session.get(
                self._status_url, timeout=aiohttp.ClientTimeout(total=2)
            ) as response:
                return response.status == 200
        except (TimeoutError, aiohttp.ClientError):
            return False
