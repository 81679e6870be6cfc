"""For operators: `/metrics` in the Prometheus format, and a request id on every request's logs."""

from __future__ import annotations

import re
import uuid

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST

from bot import repository
from bot.logs import request_id
from bot.web.errors import Handler
from bot.web.keys import METRICS, SESSIONS

routes = web.RouteTableDef()

# A caller's own id is kept when it is short and plain (it ends up in logs and a header).
CALLER_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


@web.middleware
async def with_request_id(request: web.Request, handler: Handler) -> web.StreamResponse:
    given = request.headers.get("X-Request-Id", "")
    current = given if CALLER_ID.fullmatch(given) else uuid.uuid4().hex
    token = request_id.set(current)
    try:
        response = await handler(request)
    finally:
        request_id.reset(token)
    if not response.prepared:
        response.headers["X-Request-Id"] = current
    return response


@routes.get("/metrics")
async def metrics(request: web.Request) -> web.Response:
    figures = request.app[METRICS]
    async with request.app[SESSIONS]() as session:
        waiting, oldest = await repository.waiting_queue(session)
    figures.queue_length.set(waiting)
    figures.oldest_waiting.set(oldest.total_seconds())
    response = web.Response(body=figures.exposition())
    response.headers["Content-Type"] = CONTENT_TYPE_LATEST
    return response
