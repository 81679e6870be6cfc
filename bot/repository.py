"""Repository functions: each takes an `AsyncSession`; the caller owns the transaction."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, and_, bindparam, delete, exists, func, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased, selectinload

from bot.models import (
    Contact,
    Conversation,
    HandoffTicket,
    Message,
    Miss,
    Officer,
    OfficerSession,
    ProcessedUpdate,
    Reminder,
    WalkthroughEvent,
    utcnow,
)
from domain.flows import PlannedReminder
from domain.responses import OutgoingMessage

OPEN = ("waiting", "active")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def lock_conversation(session: AsyncSession, conversation_id: str) -> Conversation | None:
    """The conversation row, locked for this transaction (PostgreSQL; SQLite locks the file)."""
    result = await session.execute(
        select(Conversation)
        .where(Conversation.id == conversation_id)
        .with_for_update()
        # The row may already be in this session: re-read it, or last_seq would be stale.
        .execution_options(populate_existing=True)
    )
    return result.scalar_one_or_none()


@dataclass(frozen=True)
class Locked:
    """A conversation locked for a transaction, and whether `inbox` could find anything in it."""

    conversation: Conversation
    inbox_may_hold: bool


def _locking_with_inbox_flags() -> Select[Conversation, bool, bool, int]:
    mine = Message.conversation_id == Conversation.id
    pending = exists().where(mine, Message.direction == "in", Message.processed_at.is_(None))
    earlier = exists().where(mine, Message.client_id == bindparam("client_id"))
    # The subqueries read the snapshot taken when the statement started. When the row lock had
    # to wait for another transaction, PostgreSQL returns the row as that one committed it,
    # but the subqueries still see the messages as they were before it: then the row's
    # last_seq differs from the one read here, through another alias, in that old snapshot.
    before = aliased(Conversation)
    seen_seq = select(before.last_seq).where(before.id == Conversation.id).scalar_subquery()
    return (
        select(Conversation, pending, earlier, seen_seq)
        .where(Conversation.id == bindparam("conversation_id"))
        .with_for_update(of=Conversation)
        .execution_options(populate_existing=True)
    )


# Built once: it runs for every message, and building the statement costs more than running it.
LOCK_WITH_INBOX_FLAGS = _locking_with_inbox_flags()


async def lock_with_inbox_flags(
    session: AsyncSession, conversation_id: str, client_id: str | None
) -> Locked | None:
    """`lock_conversation`, and in the same round trip whether `inbox` could find anything:
    usually not, and then the message step needs no query for it."""
    result = await session.execute(
        LOCK_WITH_INBOX_FLAGS, {"conversation_id": conversation_id, "client_id": client_id}
    )
    row = result.one_or_none()
    if row is None:
        return None
    conversation, pending, sent_before, seen_seq = row
    # Messages are only added under this lock, and each one moves last_seq.
    written_while_waiting = seen_seq != conversation.last_seq
    return Locked(conversation, bool(pending or sent_before or written_while_waiting))


async def get_conversation(session: AsyncSession, conversation_id: str) -> Conversation | None:
    return await session.get(Conversation, conversation_id)


async def create_web_conversation(
    session: AsyncSession, *, lang: str, role: str | None
) -> tuple[Conversation, str]:
    """A new web-chat conversation and its bearer token (only the token's hash is stored)."""
    token = secrets.token_urlsafe(32)
    conversation_id = str(uuid.uuid4())
    conversation = Conversation(
        id=conversation_id,
        channel="web",
        external_chat_id=conversation_id,
        token_hash=hash_token(token),
        lang=lang,
        role=role,
        mode="bot",
        dialogue={"lang_chosen": False},
    )
    session.add(conversation)
    await session.flush()
    return conversation, token


async def conversation_for_chat(
    session: AsyncSession, channel: str, external_chat_id: str
) -> Conversation | None:
    result = await session.execute(
        select(Conversation).where(
            Conversation.channel == channel, Conversation.external_chat_id == external_chat_id
        )
    )
    return result.scalar_one_or_none()


async def find_or_create_chat(
    session: AsyncSession,
    *,
    channel: str,
    external_chat_id: str,
    user_external_id: str,
    display_name: str | None,
    lang: str,
    language_hint: str | None,
) -> Conversation:
    """The conversation of a chat on Telegram or the terminal, created on first use."""
    conversation = await conversation_for_chat(session, channel, external_chat_id)
    if conversation is not None:
        return conversation
    contact = (
        await session.execute(
            select(Contact).where(
                Contact.channel == channel, Contact.external_id == user_external_id
            )
        )
    ).scalar_one_or_none()
    if contact is None:
        contact = Contact(
            channel=channel,
            external_id=user_external_id,
            display_name=display_name,
            language_hint=language_hint,
        )
        session.add(contact)
        await session.flush()
    conversation = Conversation(
        id=str(uuid.uuid4()),
        contact_id=contact.id,
        channel=channel,
        external_chat_id=external_chat_id,
        lang=lang,
        mode="bot",
        dialogue={"lang_chosen": False},
    )
    session.add(conversation)
    await session.flush()
    return conversation


async def append_message(
    session: AsyncSession,
    conversation: Conversation,
    *,
    direction: str,
    sender: str,
    text: str,
    payload: str | None = None,
    buttons: list[dict[str, str]] | None = None,
    language: str | None = None,
    reply_to: int | None = None,
    client_id: str | None = None,
    flush: bool = True,
) -> Message:
    """Add a message with the conversation's next sequence number (the caller holds the lock).
    Without `flush`, the INSERT waits for the transaction's next flush (several go as one)."""
    message = Message(
        conversation_id=conversation.id,
        direction=direction,
        sender=sender,
        text=text,
        payload=payload,
        buttons={"items": buttons} if buttons else None,
        language=language,
        reply_to=reply_to,
        client_id=client_id,
    )
    await add_message(session, conversation, message, flush=flush)
    return message


async def add_message(
    session: AsyncSession, conversation: Conversation, message: Message, *, flush: bool = True
) -> None:
    """Give `message` the conversation's next sequence number and add it to the transaction
    (the caller holds the conversation's lock)."""
    message.seq = conversation.last_seq + 1
    session.add(message)
    if flush:
        await session.flush()
    # Counted after the flush: the conversation's row is then written once, at commit.
    conversation.last_seq = message.seq


async def append_bot_message(
    session: AsyncSession,
    conversation: Conversation,
    message: OutgoingMessage,
    *,
    language: str,
    reply_to: int | None = None,
) -> Message:
    """Store a rendered bot message with its buttons."""
    return await append_message(
        session,
        conversation,
        direction="out",
        sender="bot",
        text=message.text,
        buttons=[{"title": b.title, "payload": b.payload} for b in message.buttons],
        language=language,
        reply_to=reply_to,
        flush=False,
    )


async def replies_to(session: AsyncSession, message_id: int) -> Sequence[Message]:
    result = await session.execute(
        select(Message).where(Message.reply_to == message_id).order_by(Message.seq)
    )
    return result.scalars().all()


async def inbox(
    session: AsyncSession, conversation_id: str, client_id: str | None = None
) -> Sequence[Message]:
    """Inbound messages not yet answered, oldest first, and (answered or not) the one the
    client sent before under `client_id`, if any."""
    pending = and_(Message.direction == "in", Message.processed_at.is_(None))
    result = await session.execute(
        select(Message)
        .where(
            Message.conversation_id == conversation_id,
            or_(pending, Message.client_id == client_id) if client_id else pending,
        )
        .order_by(Message.seq)
    )
    return result.scalars().all()


async def conversations_with_pending_inbound(session: AsyncSession) -> Sequence[str]:
    result = await session.execute(
        select(Message.conversation_id)
        .where(Message.direction == "in", Message.processed_at.is_(None))
        .distinct()
    )
    return result.scalars().all()


async def messages_after(
    session: AsyncSession, conversation_id: str, after_seq: int, *, direction: str | None = None
) -> Sequence[Message]:
    query = select(Message).where(
        Message.conversation_id == conversation_id, Message.seq > after_seq
    )
    if direction:
        query = query.where(Message.direction == direction)
    result = await session.execute(query.order_by(Message.seq))
    return result.scalars().all()


async def unsent_outbound(
    session: AsyncSession, channel: str, limit: int = 100
) -> Sequence[Message]:
    """The outbox of a pushing channel: outbound messages not yet delivered, oldest first."""
    result = await session.execute(
        select(Message)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(
            Conversation.channel == channel,
            Message.direction == "out",
            Message.sent_at.is_(None),
        )
        .order_by(Message.id)
        .limit(limit)
    )
    return result.scalars().all()


# One sender at a time per channel across `onestop serve` processes sharing PostgreSQL: a
# session-level advisory lock, released by the server when the holder's connection dies.
OUTBOX_LOCK_KEYS = {"telegram": 7_210_001}


async def try_outbox_lease(session: AsyncSession, channel: str) -> bool:
    """Become the channel's only sender for as long as this session's connection is held."""
    if session.get_bind().dialect.name != "postgresql":
        return True  # SQLite serves one process
    key = OUTBOX_LOCK_KEYS[channel]
    return bool(await session.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}))


async def release_outbox_lease(session: AsyncSession, channel: str) -> None:
    if session.get_bind().dialect.name == "postgresql":
        key = OUTBOX_LOCK_KEYS[channel]
        await session.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})


async def count_failed_send(session: AsyncSession, message_id: int) -> None:
    """A send that failed for now (network, Telegram down); it is retried on the next round."""
    await session.execute(
        update(Message)
        .where(Message.id == message_id)
        .values(send_attempts=Message.send_attempts + 1)
    )


async def mark_sent(session: AsyncSession, message_id: int) -> None:
    await session.execute(update(Message).where(Message.id == message_id).values(sent_at=utcnow()))


async def record_update(session: AsyncSession, channel: str, update_id: int) -> bool:
    """Remember a channel update id; False when it was already taken in (or is being taken in
    by a concurrent request: the insert waits for it and then does nothing)."""
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    result = await session.execute(
        insert(ProcessedUpdate)
        .values(channel=channel, update_id=update_id, received_at=utcnow())
        .on_conflict_do_nothing()
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


async def record_miss(
    session: AsyncSession,
    *,
    message_id: int | None,
    language: str,
    text: str,
    reason: str,
    intent: str | None,
    confidence: float | None,
) -> Miss:
    miss = Miss(
        message_id=message_id,
        language=language,
        text=text,
        reason=reason,
        intent=intent,
        confidence=confidence,
    )
    session.add(miss)  # written with the rest of the step, at commit
    return miss


async def open_ticket(
    session: AsyncSession, conversation: Conversation, *, topic: str | None, language: str
) -> HandoffTicket:
    """A waiting ticket; a conversation has at most one open ticket at a time."""
    existing = await open_ticket_of(session, conversation.id)
    if existing is not None:
        return existing
    ticket = HandoffTicket(
        conversation_id=conversation.id,
        language=language,
        role=conversation.role,
        topic=topic,
        status="waiting",
    )
    session.add(ticket)
    await session.flush()
    return ticket


async def open_ticket_of(session: AsyncSession, conversation_id: str) -> HandoffTicket | None:
    result = await session.execute(
        select(HandoffTicket)
        .where(
            HandoffTicket.conversation_id == conversation_id,
            HandoffTicket.status.in_(("waiting", "active")),
        )
        .order_by(HandoffTicket.id.desc())
        .limit(1)
    )
    return result.scalar_one_or_none()


async def cancel_waiting_tickets(session: AsyncSession, conversation_id: str) -> None:
    await session.execute(
        update(HandoffTicket)
        .where(HandoffTicket.conversation_id == conversation_id, HandoffTicket.status == "waiting")
        .values(status="cancelled", closed_at=utcnow())
    )


async def _last_closed_ticket(session: AsyncSession, conversation_id: str) -> HandoffTicket | None:
    result = await session.execute(
        select(HandoffTicket)
        .where(HandoffTicket.conversation_id == conversation_id, HandoffTicket.status == "closed")
        .order_by(HandoffTicket.closed_at.desc(), HandoffTicket.id.desc())
        .limit(1)
    )
    return result.scalar_one_or_none()


async def rate_last_ticket(session: AsyncSession, conversation_id: str, score: int) -> None:
    ticket = await _last_closed_ticket(session, conversation_id)
    if ticket is not None:
        ticket.rating = score


async def comment_last_ticket(session: AsyncSession, conversation_id: str, text: str) -> None:
    ticket = await _last_closed_ticket(session, conversation_id)
    if ticket is not None:
        ticket.comment = text


async def queue_position(session: AsyncSession, ticket_id: int) -> int:
    """1 for the oldest waiting ticket."""
    result = await session.execute(
        select(func.count())
        .select_from(HandoffTicket)
        .where(HandoffTicket.status == "waiting", HandoffTicket.id <= ticket_id)
    )
    return int(result.scalar_one())


async def waiting_queue(session: AsyncSession) -> tuple[int, dt.timedelta]:
    """How many tickets wait for an officer, and how long the oldest has waited."""
    result = await session.execute(
        select(func.count(), func.min(HandoffTicket.created_at)).where(
            HandoffTicket.status == "waiting"
        )
    )
    count, oldest = result.one()
    return int(count), age(oldest) if oldest is not None else dt.timedelta(0)


async def average_minutes_to_claim(session: AsyncSession, last: int = 20) -> float | None:
    """How long the last claimed tickets waited, on average (None before the first claim)."""
    result = await session.execute(
        select(HandoffTicket.created_at, HandoffTicket.claimed_at)
        .where(HandoffTicket.claimed_at.is_not(None))
        .order_by(HandoffTicket.claimed_at.desc())
        .limit(last)
    )
    waits = [age(created) - age(claimed) for created, claimed in result.all() if claimed]
    if not waits:
        return None
    return sum(w.total_seconds() for w in waits) / len(waits) / 60


async def list_tickets(session: AsyncSession, status: str | None = None) -> Sequence[HandoffTicket]:
    query = select(HandoffTicket).options(selectinload(HandoffTicket.officer))
    if status:
        query = query.where(HandoffTicket.status == status)
    result = await session.execute(query.order_by(HandoffTicket.id))
    return result.scalars().all()


async def get_ticket(session: AsyncSession, ticket_id: int) -> HandoffTicket | None:
    result = await session.execute(
        select(HandoffTicket)
        .options(selectinload(HandoffTicket.officer))
        .where(HandoffTicket.id == ticket_id)
    )
    return result.scalar_one_or_none()


async def claim_ticket(session: AsyncSession, ticket_id: int, officer_id: int) -> bool:
    """Atomically take a waiting ticket: exactly one of several officers wins."""
    result = await session.execute(
        update(HandoffTicket)
        .where(HandoffTicket.id == ticket_id, HandoffTicket.status == "waiting")
        .values(status="active", officer_id=officer_id, claimed_at=utcnow())
    )
    return bool(result.rowcount == 1)  # type: ignore[attr-defined]


async def close_ticket(session: AsyncSession, ticket: HandoffTicket) -> None:
    ticket.status = "closed"
    ticket.closed_at = utcnow()


async def overdue_tickets(session: AsyncSession, minutes: float) -> Sequence[HandoffTicket]:
    """Waiting tickets older than the escalation limit that were not escalated yet."""
    limit = utcnow() - dt.timedelta(minutes=minutes)
    result = await session.execute(
        select(HandoffTicket).where(
            HandoffTicket.status == "waiting",
            HandoffTicket.escalated_at.is_(None),
            HandoffTicket.created_at <= limit,
        )
    )
    return result.scalars().all()


# --- officers -------------------------------------------------------------------------------


async def find_officer(session: AsyncSession, username: str) -> Officer | None:
    result = await session.execute(select(Officer).where(Officer.username == username))
    return result.scalar_one_or_none()


async def officer_by_telegram_id(session: AsyncSession, telegram_user_id: int) -> Officer | None:
    result = await session.execute(
        select(Officer).where(Officer.telegram_user_id == telegram_user_id, Officer.active)
    )
    return result.scalar_one_or_none()


async def list_officers(session: AsyncSession) -> Sequence[Officer]:
    result = await session.execute(select(Officer).order_by(Officer.username))
    return result.scalars().all()


async def create_session(
    session: AsyncSession, officer: Officer, hours: float
) -> tuple[str, OfficerSession]:
    token = secrets.token_urlsafe(32)
    record = OfficerSession(
        officer_id=officer.id,
        token_hash=hash_token(token),
        csrf_token=secrets.token_urlsafe(24),
        expires_at=utcnow() + dt.timedelta(hours=hours),
    )
    session.add(record)
    await session.flush()
    return token, record


async def session_by_token(session: AsyncSession, token: str) -> OfficerSession | None:
    result = await session.execute(
        select(OfficerSession)
        .options(selectinload(OfficerSession.officer))
        .where(OfficerSession.token_hash == hash_token(token))
    )
    record = result.scalar_one_or_none()
    if record is None or age(record.expires_at) > dt.timedelta(0) or not record.officer.active:
        return None
    return record


async def end_session(session: AsyncSession, token: str) -> None:
    from sqlalchemy import delete

    await session.execute(
        delete(OfficerSession).where(OfficerSession.token_hash == hash_token(token))
    )


async def transcript(session: AsyncSession, conversation_id: str) -> Sequence[Message]:
    return await messages_after(session, conversation_id, 0)


def age(since: dt.datetime) -> dt.timedelta:
    if since.tzinfo is None:
        since = since.replace(tzinfo=dt.UTC)
    return utcnow() - since


async def _forget(session: AsyncSession, ids: Sequence[str]) -> int:
    """Remove these conversations with their messages, misses and reminders; their tickets are
    closed and keep only anonymous figures, their walk-through events only the counts. Returns
    how many messages went."""
    await session.execute(
        update(HandoffTicket)
        .where(HandoffTicket.conversation_id.in_(ids), HandoffTicket.status.in_(OPEN))
        .values(status="closed", closed_at=utcnow())
    )
    await session.execute(
        update(HandoffTicket)
        .where(HandoffTicket.conversation_id.in_(ids))
        .values(conversation_id=None, note=None, comment=None)
    )
    messages = select(Message.id).where(Message.conversation_id.in_(ids))
    await session.execute(delete(Miss).where(Miss.message_id.in_(messages)))
    removed = await session.execute(delete(Message).where(Message.conversation_id.in_(ids)))
    await session.execute(delete(Reminder).where(Reminder.conversation_id.in_(ids)))
    await session.execute(
        update(WalkthroughEvent)
        .where(WalkthroughEvent.conversation_id.in_(ids))
        .values(conversation_id=None)
    )
    await session.execute(delete(Conversation).where(Conversation.id.in_(ids)))
    return int(removed.rowcount or 0)  # type: ignore[attr-defined]


async def erase_conversation(session: AsyncSession, conversation_id: str) -> None:
    """Erase a conversation and its person's data (the contact too, when no other conversation
    is theirs); tickets keep an anonymised record."""
    contact_id = await session.scalar(
        select(Conversation.contact_id).where(Conversation.id == conversation_id)
    )
    await _forget(session, [conversation_id])
    if contact_id is not None:
        others = select(Conversation.id).where(Conversation.contact_id == contact_id)
        await session.execute(delete(Contact).where(Contact.id == contact_id, ~others.exists()))


def _when(at: dt.datetime | dt.date | None) -> str | None:
    return at.isoformat() if at is not None else None


async def export_conversation(session: AsyncSession, conversation_id: str) -> dict[str, Any] | None:
    """Everything stored about one conversation and its person, as JSON-ready data."""
    conversation = await session.get(Conversation, conversation_id)
    if conversation is None:
        return None
    contact = (
        await session.get(Contact, conversation.contact_id) if conversation.contact_id else None
    )
    messages = await messages_after(session, conversation_id, 0)
    tickets = (
        await session.execute(
            select(HandoffTicket)
            .where(HandoffTicket.conversation_id == conversation_id)
            .order_by(HandoffTicket.id)
        )
    ).scalars()
    reminders = (
        await session.execute(
            select(Reminder)
            .where(Reminder.conversation_id == conversation_id)
            .order_by(Reminder.id)
        )
    ).scalars()
    return {
        "exported_at": utcnow().isoformat(),
        "conversation": {
            "id": conversation.id,
            "channel": conversation.channel,
            "language": conversation.lang,
            "role": conversation.role,
            "mode": conversation.mode,
            "created_at": _when(conversation.created_at),
            "updated_at": _when(conversation.updated_at),
            "walk_through": conversation.dialogue.get("guide"),
        },
        "contact": {
            "channel": contact.channel,
            "external_id": contact.external_id,
            "display_name": contact.display_name,
            "language_hint": contact.language_hint,
            "created_at": _when(contact.created_at),
        }
        if contact
        else None,
        "messages": [
            {
                "seq": m.seq,
                "direction": m.direction,
                "sender": m.sender,
                "text": m.text,
                "payload": m.payload,
                "language": m.language,
                "understood_as": m.intent,
                "created_at": _when(m.created_at),
                "sent_at": _when(m.sent_at),
            }
            for m in messages
        ],
        "handoffs": [
            {
                "status": t.status,
                "topic": t.topic,
                "note": t.note,
                "rating": t.rating,
                "comment": t.comment,
                "created_at": _when(t.created_at),
                "claimed_at": _when(t.claimed_at),
                "closed_at": _when(t.closed_at),
            }
            for t in tickets
        ],
        "reminders": [
            {
                "flow": r.flow,
                "step": r.step_id,
                "deadline": _when(r.deadline),
                "due_at": _when(r.due_at),
                "sent_at": _when(r.sent_at),
            }
            for r in reminders
        ],
    }


async def last_seqs(session: AsyncSession, conversation_ids: Sequence[str]) -> dict[str, int]:
    if not conversation_ids:
        return {}
    result = await session.execute(
        select(Conversation.id, Conversation.last_seq).where(Conversation.id.in_(conversation_ids))
    )
    return {cid: seq for cid, seq in result.all()}


async def ticket_by_telegram_message(
    session: AsyncSession, message_id: int
) -> HandoffTicket | None:
    result = await session.execute(
        select(HandoffTicket)
        .where(HandoffTicket.telegram_message_id == message_id)
        .order_by(HandoffTicket.id.desc())
        .limit(1)
    )
    return result.scalar_one_or_none()


async def schedule_reminders(
    session: AsyncSession, conversation_id: str, flow: str, plan: Sequence[PlannedReminder]
) -> None:
    """Replace the conversation's unsent reminders with this plan."""
    await cancel_reminders(session, conversation_id)
    for item in plan:
        session.add(
            Reminder(
                conversation_id=conversation_id,
                flow=flow,
                step_id=item.step_id,
                due_at=item.due_at,
                deadline=item.deadline,
            )
        )
    await session.flush()


async def cancel_reminders(session: AsyncSession, conversation_id: str) -> None:
    await session.execute(
        delete(Reminder).where(
            Reminder.conversation_id == conversation_id, Reminder.sent_at.is_(None)
        )
    )


async def due_reminders(session: AsyncSession, limit: int = 50) -> Sequence[Reminder]:
    """Reminders whose time has come, locked so that one worker sends each (PostgreSQL)."""
    result = await session.execute(
        select(Reminder)
        .where(Reminder.sent_at.is_(None), Reminder.due_at <= utcnow())
        .order_by(Reminder.due_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return result.scalars().all()


async def purge_older_than(session: AsyncSession, days: int) -> dict[str, int]:
    """The retention purge: conversations idle for `days` go, with their messages, misses and
    reminders; their tickets stay as anonymous records; orphaned contacts and old officer
    sessions go too. Returns what was removed."""
    limit = utcnow() - dt.timedelta(days=days)
    old = select(Conversation.id).where(Conversation.updated_at < limit)
    ids = list((await session.execute(old)).scalars().all())
    removed_messages = await _forget(session, ids)
    in_use = select(Conversation.contact_id).where(Conversation.contact_id.is_not(None))
    contacts = await session.execute(delete(Contact).where(Contact.id.not_in(in_use)))
    await session.execute(delete(OfficerSession).where(OfficerSession.expires_at < utcnow()))
    await session.execute(delete(ProcessedUpdate).where(ProcessedUpdate.received_at < limit))
    return {
        "conversations": len(ids),
        "messages": removed_messages,
        "contacts": int(contacts.rowcount or 0),  # type: ignore[attr-defined]
    }


def record_walkthrough(session: AsyncSession, conversation_id: str, flow: str, kind: str) -> None:
    session.add(WalkthroughEvent(conversation_id=conversation_id, flow=flow, kind=kind))


async def note_open_ticket(session: AsyncSession, conversation_id: str, text: str) -> None:
    ticket = await open_ticket_of(session, conversation_id)
    if ticket is not None:
        ticket.note = text
