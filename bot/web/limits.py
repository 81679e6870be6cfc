"""Rate limits per client address and per conversation (aiolimiter leaky buckets)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web
from aiolimiter import AsyncLimiter
from cachetools import TTLCache

from bot.web.errors import error_response


class RateLimits:
    """Refuses (429) rather than queues: a flooding client is told to slow down at once."""

    def __init__(self, per_minute: float) -> None:
        self.per_minute = per_minute
        self._buckets: TTLCache[str, AsyncLimiter] = TTLCache(maxsize=50_000, ttl=600)

    async def allow(self, key: str) -> bool:
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = AsyncLimiter(self.per_minute, 60)
        if not bucket.has_capacity():
            return False
        await bucket.acquire()
        return True


PER_ADDRESS = web.AppKey("rate_per_address", RateLimits)
PER_CONVERSATION = web.AppKey("rate_per_conversation", RateLimits)


@web.middleware
async def limit_by_address(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    limited = request.method == "POST" and request.path.startswith("/api/")
    if limited and not await request.app[PER_ADDRESS].allow(request.remote or "unknown"):
        return error_response(429, "too_many_requests", "Too many requests; slow down.")
    return await handler(request)


def setup(app: web.Application, *, per_address: float, per_conversation: float) -> None:
    app[PER_ADDRESS] = RateLimits(per_address)
    app[PER_CONVERSATION] = RateLimits(per_conversation)
