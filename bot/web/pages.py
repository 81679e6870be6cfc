"""The web chat page and its static files, with security headers on every response."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from aiohttp import web

STATIC_DIR = Path(__file__).with_name("static")
routes = web.RouteTableDef()

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


@routes.get("/")
async def index(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC_DIR / "chat.html")


@routes.get("/officer")
async def officer_console(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC_DIR / "officer.html")


@routes.get("/officer/statistics")
async def statistics_page(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC_DIR / "statistics.html")


@routes.get("/officer/review")
async def review_page(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC_DIR / "review.html")


@web.middleware
async def security_headers(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    response = await handler(request)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Content-Security-Policy", CSP)
    return response
