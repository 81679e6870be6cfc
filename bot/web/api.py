"""The JSON API: views only translate HTTP to calls of the assistant and repositories."""

from __future__ import annotations

import json
import re
import secrets
from typing import Any

from aiohttp import web
from sqlalchemy import text

from bot import repository
from bot.assistant import Inbound, message_json
from bot.models import Conversation
from bot.web.errors import ApiError
from bot.web.keys import ASSISTANT, LOOKUPS, NLU, SESSIONS
from bot.web.limits import PER_CONVERSATION
from domain.i18n import negotiate, translations_for
from domain.responses import TEXTS
from domain.topics import RTL_LANGUAGES
from nlu.client import NluUnavailable
from nlu.entities import extract_entities
from nlu.language import detect_language

routes = web.RouteTableDef()

MAX_TEXT = 4000
MAX_SQL_INT = 2**31 - 1  # ids and sequence numbers are SQL integers
CLIENT_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")


async def read_json(request: web.Request) -> dict[str, Any]:
    """The request body as a JSON object, or a 400/415 with a clear message."""
    if request.content_type not in ("application/json", ""):
        raise ApiError(415, "unsupported_media_type", "Send the body as application/json.")
    try:
        body = await request.json()
    except (ValueError, UnicodeDecodeError) as error:
        raise ApiError(400, "invalid_json", "The body is not valid JSON.") from error
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_json", "The body must be a JSON object.")
    return body


def optional_string(
    body: dict[str, Any], name: str, limit: int = MAX_TEXT, *, nullable: bool = True
) -> str | None:
    """A string field of a JSON body; missing (or null, when `nullable`) gives None."""
    value = body.get(name)
    if value is None:
        if name in body and not nullable:
            raise ApiError(400, "invalid_field", f"'{name}' must be a string.")
        return None
    if not isinstance(value, str):
        raise ApiError(400, "invalid_field", f"'{name}' must be a string.")
    if len(value) > limit:
        code = "text_too_long" if limit >= MAX_TEXT else "invalid_field"
        raise ApiError(400, code, f"'{name}' is longer than {limit} characters.")
    return value


def clean_text(value: str) -> str:
    """Drop control and zero-width characters users paste by accident; keep line breaks."""
    return "".join(
        c for c in value if c in "\n\t" or (c.isprintable() and c not in "\u200b\u200c\u200d\ufeff")
    ).strip()


@routes.get("/healthz")
async def healthz(request: web.Request) -> web.Response:
    """The bot answers while the database does; the NLU state is reported alongside."""
    db = "ok"
    try:
        async with request.app[SESSIONS]() as session:
            await session.execute(text("SELECT 1"))
    except Exception:
        db = "down"
    nlu = "ok" if await request.app[NLU].is_up() else "down"
    status = 200 if db == "ok" else 503
    return web.json_response(
        {"status": "ok" if db == "ok" else "down", "db": db, "nlu": nlu}, status=status
    )


@routes.post("/api/v1/parse")
async def parse(request: web.Request) -> web.Response:
    body = await read_json(request)
    raw = optional_string(body, "text", nullable=False)
    if raw is None or not clean_text(raw):
        raise ApiError(400, "missing_text", "'text' is required and must not be empty.")
    text_ = clean_text(raw)
    lang = optional_string(body, "lang", 16)
    language = (negotiate(lang) if lang else None) or detect_language(text_)
    try:
        result = await request.app[NLU].parse(text_)
    except NluUnavailable as error:
        raise ApiError(503, "nlu_unavailable", "The language service is unavailable.") from error
    return web.json_response(
        {
            "text": text_,
            "language": language,
            "intent": {"name": result.intent, "confidence": result.confidence},
            "intent_ranking": [{"name": n, "confidence": c} for n, c in result.ranking],
            "entities": [*result.entities, *(e.as_dict() for e in extract_entities(text_))],
        }
    )


@routes.get("/api/v1/ui-strings")
async def ui_strings(request: web.Request) -> web.Response:
    """The web chat page's own words in a language (from the catalogs)."""
    lang = negotiate(request.query.get("lang")) or "en"
    t = translations_for(lang)
    words = {
        k.removeprefix("page."): t.gettext(v) for k, v in TEXTS.items() if k.startswith("page.")
    }
    return web.json_response(
        {"lang": lang, "dir": "rtl" if lang in RTL_LANGUAGES else "ltr", **words}
    )


@routes.post("/api/v1/conversations")
async def create_conversation(request: web.Request) -> web.Response:
    body = await read_json(request) if request.can_read_body else {}
    chosen = negotiate(optional_string(body, "lang", 16))
    # The browser's language is only a hint: what the visitor types decides until they choose.
    hint = negotiate(request.headers.get("Accept-Language", "").split(",")[0].split(";")[0])
    lang = chosen or hint
    role = optional_string(body, "role", 16)
    if role not in (None, "foreigner", "employer"):
        raise ApiError(400, "invalid_field", "'role' must be 'foreigner' or 'employer'.")
    async with request.app[SESSIONS].begin() as session:
        conversation, token = await repository.create_web_conversation(
            session, lang=lang or "en", role=role
        )
        conversation.dialogue = {"lang_chosen": chosen is not None}
    return web.json_response(
        {"conversation_id": conversation.id, "token": token, "lang": conversation.lang},
        status=201,
    )


async def authorized_conversation(request: web.Request) -> Conversation:
    """The conversation of the URL, if the bearer token is its own; else 401/404."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise ApiError(401, "unauthorized", "A bearer token is required.")
    async with request.app[LOOKUPS]() as session:
        conversation = await repository.get_conversation(session, request.match_info["id"])
    if conversation is None or conversation.channel != "web":
        raise ApiError(404, "not_found", "No such conversation.")
    if not conversation.token_hash or not secrets.compare_digest(
        conversation.token_hash, repository.hash_token(token.strip())
    ):
        raise ApiError(401, "unauthorized", "The token does not open this conversation.")
    return conversation


def state_json(mode: str, lang: str) -> dict[str, str]:
    return {"mode": mode, "lang": lang}


@routes.post("/api/v1/conversations/{id}/messages")
async def post_message(request: web.Request) -> web.Response:
    conversation = await authorized_conversation(request)
    if not await request.app[PER_CONVERSATION].allow(conversation.id):
        raise ApiError(429, "too_many_requests", "Too many messages; please wait a moment.")
    body = await read_json(request)
    raw_text = optional_string(body, "text", 10_000, nullable=False)
    payload = optional_string(body, "payload", 128, nullable=False)
    if raw_text is None and payload is None:
        raise ApiError(400, "missing_text", "Send 'text' or 'payload'.")
    client_id = optional_string(body, "client_id", 64)
    if client_id is not None and not CLIENT_ID.fullmatch(client_id):
        raise ApiError(400, "invalid_field", "'client_id' is 1-64 letters, digits, '-' or '_'.")
    text = clean_text(raw_text or "")
    inbound = Inbound(text=text, payload=payload) if payload else Inbound.typed(text)
    answered = await request.app[ASSISTANT].take_in_and_answer(conversation.id, inbound, client_id)
    return web.json_response(
        {
            "messages": [message_json(m) for m in answered.replies],
            "state": state_json(answered.mode, answered.lang),
        }
    )


@routes.get("/api/v1/conversations/{id}/messages")
async def list_messages(request: web.Request) -> web.Response:
    conversation = await authorized_conversation(request)
    try:
        after = int(request.query.get("after", "0"))
    except ValueError as error:
        raise ApiError(400, "invalid_field", "'after' must be a whole number.") from error
    if not 0 <= after <= MAX_SQL_INT:
        raise ApiError(400, "invalid_field", f"'after' is a number from 0 to {MAX_SQL_INT}.")
    async with request.app[SESSIONS]() as session:
        messages = await repository.messages_after(session, conversation.id, after)
    return web.json_response(
        {
            "messages": [{**message_json(m), "direction": m.direction} for m in messages],
            "state": state_json(conversation.mode, conversation.lang),
        }
    )


@routes.get("/api/v1/conversations/{id}/export")
async def export_conversation(request: web.Request) -> web.Response:
    """Everything stored about this conversation (the visitor's copy of their data)."""
    conversation = await authorized_conversation(request)
    async with request.app[SESSIONS]() as session:
        data = await repository.export_conversation(session, conversation.id)
    if data is None:
        raise ApiError(404, "not_found", "No such conversation.")
    return web.json_response(
        data,
        dumps=lambda value: json.dumps(value, ensure_ascii=False, indent=2),
        headers={"Content-Disposition": 'attachment; filename="onestop-my-data.json"'},
    )


@routes.delete("/api/v1/conversations/{id}")
async def delete_conversation(request: web.Request) -> web.Response:
    conversation = await authorized_conversation(request)
    async with request.app[SESSIONS].begin() as session:
        await repository.erase_conversation(session, conversation.id)
    return web.Response(status=204)
