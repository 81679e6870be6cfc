"""The officers' API: login, the handoff queue, claim, reply, transfer, close, live events."""

from __future__ import annotations

import asyncio
import hashlib
import json
import secrets
from typing import Any

from aiohttp import web

from bot import repository
from bot.handoff import CANNED_KEYS, Handoffs, Outcome, Result, canned_reply
from bot.models import HandoffTicket, Officer, OfficerSession
from bot.officers import authenticate
from bot.web.api import MAX_SQL_INT, clean_text, optional_string, read_json
from bot.web.errors import ApiError
from bot.web.keys import ASSISTANT, SESSIONS, SETTINGS
from domain.responses import TEXTS

routes = web.RouteTableDef()
HANDOFFS = web.AppKey("handoffs", Handoffs)
COOKIE = "onestop_officer"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
STATUSES = ("waiting", "active", "closed", "cancelled")


async def current_session(request: web.Request) -> OfficerSession:
    """The officer's session from the bearer token or the cookie (CSRF-checked), else 401/403."""
    header = request.headers.get("Authorization", "")
    scheme, _, bearer = header.partition(" ")
    from_cookie = not (scheme.lower() == "bearer" and bearer)
    token = request.cookies.get(COOKIE, "") if from_cookie else bearer.strip()
    if not token:
        raise ApiError(401, "unauthorized", "Log in as an officer first.")
    async with request.app[SESSIONS]() as session:
        record = await repository.session_by_token(session, token)
    if record is None:
        raise ApiError(401, "unauthorized", "The session is invalid or has expired.")
    if from_cookie and request.method not in SAFE_METHODS:
        given = request.headers.get("X-CSRF-Token", "")
        if not secrets.compare_digest(given.encode(), record.csrf_token.encode()):
            raise ApiError(403, "csrf", "The CSRF token is missing or wrong.")
    return record


async def current_officer(request: web.Request) -> Officer:
    return (await current_session(request)).officer


def ticket_json(ticket: HandoffTicket) -> dict[str, Any]:
    return {
        "id": ticket.id,
        "conversation_id": ticket.conversation_id,
        "language": ticket.language,
        "role": ticket.role,
        "topic": ticket.topic,
        "status": ticket.status,
        "created_at": ticket.created_at.isoformat(),
        "claimed_at": ticket.claimed_at.isoformat() if ticket.claimed_at else None,
        "closed_at": ticket.closed_at.isoformat() if ticket.closed_at else None,
        "officer": ticket.officer.username if ticket.officer else None,
        "escalated": ticket.escalated_at is not None,
        "note": ticket.note,
        "rating": ticket.rating,
    }


def outcome_error(result: Result) -> ApiError:
    return {
        Outcome.NOT_FOUND: ApiError(404, "not_found", "No such ticket."),
        Outcome.CONFLICT: ApiError(409, "conflict", "Another officer holds this ticket."),
        Outcome.NOT_YOURS: ApiError(409, "not_yours", "Claim the ticket before acting on it."),
        Outcome.CLOSED: ApiError(409, "closed", "The ticket is not active."),
    }.get(result.outcome, ApiError(500, "internal", "Unexpected state."))


def ticket_id(request: web.Request) -> int:
    try:
        value = int(request.match_info["id"])
    except ValueError as error:
        raise ApiError(404, "not_found", "No such ticket.") from error
    if not 0 < value <= MAX_SQL_INT:
        raise ApiError(404, "not_found", "No such ticket.")
    return value


@routes.post("/api/v1/officer/login")
async def login(request: web.Request) -> web.Response:
    body = await read_json(request)
    username = optional_string(body, "username", 64) or ""
    password = optional_string(body, "password", 256) or ""
    async with request.app[SESSIONS].begin() as session:
        officer = await authenticate(session, username, password)
        if officer is None:
            raise ApiError(401, "invalid_credentials", "The name or password is wrong.")
        hours = request.app[SETTINGS].officer_session_hours
        token, record = await repository.create_session(session, officer, hours)
    response = web.json_response(
        {
            "token": token,
            "csrf_token": record.csrf_token,
            "officer": officer_json(officer),
        }
    )
    response.set_cookie(
        COOKIE,
        token,
        httponly=True,
        samesite="Strict",
        secure=request.secure,
        path="/",
        max_age=int(hours * 3600),
    )
    return response


def officer_json(officer: Officer) -> dict[str, Any]:
    return {
        "username": officer.username,
        "languages": officer.languages.split(","),
        "role": officer.role,
    }


@routes.post("/api/v1/officer/logout")
async def logout(request: web.Request) -> web.Response:
    await current_session(request)
    token = request.cookies.get(COOKIE) or request.headers.get("Authorization", "")[7:]
    async with request.app[SESSIONS].begin() as session:
        await repository.end_session(session, token.strip())
    response = web.Response(status=204)
    response.del_cookie(COOKIE, path="/")
    return response


@routes.get("/api/v1/officer/me")
async def me(request: web.Request) -> web.Response:
    record = await current_session(request)
    return web.json_response({**officer_json(record.officer), "csrf_token": record.csrf_token})


@routes.get("/api/v1/handoffs")
async def list_handoffs(request: web.Request) -> web.Response:
    officer = await current_officer(request)
    status = request.query.get("status")
    if status is not None and status not in STATUSES:
        raise ApiError(400, "invalid_field", f"'status' must be one of {', '.join(STATUSES)}.")
    async with request.app[SESSIONS]() as session:
        tickets = await repository.list_tickets(session, status)
    # Tickets in the officer's languages first, oldest first within each group.
    ordered = sorted(tickets, key=lambda t: (not officer.speaks(t.language), t.id))
    return web.json_response([ticket_json(t) for t in ordered])


@routes.get("/api/v1/handoffs/{id}")
async def get_handoff(request: web.Request) -> web.Response:
    await current_officer(request)
    async with request.app[SESSIONS]() as session:
        ticket = await repository.get_ticket(session, ticket_id(request))
        if ticket is None:
            raise ApiError(404, "not_found", "No such ticket.")
        messages = (
            await repository.transcript(session, ticket.conversation_id)
            if ticket.conversation_id
            else []
        )
    return web.json_response(
        {
            **ticket_json(ticket),
            "transcript": [
                {
                    "seq": m.seq,
                    "sender": m.sender,
                    "text": m.text or (f"[{m.payload}]" if m.payload else ""),
                    "intent": m.intent,
                    "confidence": m.confidence,
                    "created_at": m.created_at.isoformat(),
                }
                for m in messages
            ],
            "canned": [
                {"key": key, "source": TEXTS[key], "text": canned_reply(key, ticket.language)}
                for key in CANNED_KEYS
            ],
        }
    )


@routes.post("/api/v1/handoffs/{id}/claim")
async def claim(request: web.Request) -> web.Response:
    officer = await current_officer(request)
    result = await request.app[HANDOFFS].claim(ticket_id(request), officer)
    if result.outcome is not Outcome.DONE or result.ticket is None:
        raise outcome_error(result)
    return web.json_response(ticket_json(result.ticket))


@routes.post("/api/v1/handoffs/{id}/messages")
async def officer_message(request: web.Request) -> web.Response:
    officer = await current_officer(request)
    body = await read_json(request)
    canned = optional_string(body, "canned", 64, nullable=False)
    text = clean_text(optional_string(body, "text", nullable=False) or "")
    handoffs = request.app[HANDOFFS]
    if canned is not None:
        if canned not in CANNED_KEYS:
            raise ApiError(400, "invalid_field", "Unknown canned reply.")
        async with request.app[SESSIONS]() as session:
            ticket = await repository.get_ticket(session, ticket_id(request))
        if ticket is None:
            raise ApiError(404, "not_found", "No such ticket.")
        text = canned_reply(canned, ticket.language)
    if not text:
        raise ApiError(400, "missing_text", "Send 'text' or 'canned'.")
    result, message = await handoffs.reply(ticket_id(request), officer, text)
    if result.outcome is not Outcome.DONE or message is None:
        raise outcome_error(result)
    return web.json_response({"id": message.id, "seq": message.seq, "text": message.text})


@routes.post("/api/v1/handoffs/{id}/close")
async def close(request: web.Request) -> web.Response:
    officer = await current_officer(request)
    result = await request.app[HANDOFFS].close(ticket_id(request), officer)
    if result.outcome is not Outcome.DONE or result.ticket is None:
        raise outcome_error(result)
    async with request.app[SESSIONS]() as session:
        ticket = await repository.get_ticket(session, result.ticket.id)
    assert ticket is not None
    return web.json_response(ticket_json(ticket))


@routes.post("/api/v1/handoffs/{id}/transfer")
async def transfer(request: web.Request) -> web.Response:
    officer = await current_officer(request)
    body = await read_json(request)
    name = optional_string(body, "officer", 64) or ""
    async with request.app[SESSIONS]() as session:
        colleague = await repository.find_officer(session, name)
    if colleague is None or not colleague.active:
        raise ApiError(404, "officer_not_found", "No active officer of that name.")
    result = await request.app[HANDOFFS].transfer(ticket_id(request), officer, colleague)
    if result.outcome is not Outcome.DONE or result.ticket is None:
        raise outcome_error(result)
    return web.json_response({"id": result.ticket.id, "officer": colleague.username})


async def queue_fingerprint(request: web.Request) -> str:
    """Changes whenever a ticket or a message of an open ticket changes."""
    async with request.app[SESSIONS]() as session:
        tickets = await repository.list_tickets(session)
        open_ids = [t.conversation_id for t in tickets if t.status in ("waiting", "active")]
        seqs = await repository.last_seqs(session, [c for c in open_ids if c])
    state = [(t.id, t.status, t.officer_id, t.escalated_at is not None) for t in tickets]
    return hashlib.sha256(json.dumps([state, seqs], default=str).encode()).hexdigest()


@routes.get("/api/v1/officer/events")
async def events(request: web.Request) -> web.StreamResponse:
    """Server-sent events: `queue` whenever the queue or an open conversation changes."""
    await current_officer(request)
    response = web.StreamResponse(
        headers={"Content-Type": "text/event-stream", "Cache-Control": "no-cache"}
    )
    await response.prepare(request)
    last = ""
    try:
        for _ in range(3600):
            current = await queue_fingerprint(request)
            if current != last:
                await response.write(f"event: queue\ndata: {current}\n\n".encode())
                last = current
            else:
                await response.write(b": keep-alive\n\n")
            await asyncio.sleep(1.0)
    except (ConnectionResetError, asyncio.CancelledError):
        pass
    return response


def setup(app: web.Application) -> None:
    app[HANDOFFS] = Handoffs(app[ASSISTANT])
