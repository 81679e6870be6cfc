"""The message pipeline: stored inbound message -> NLU -> dialogue step -> stored replies.

Channels call `receive` (store, then acknowledge) and `process` (answer everything pending in
one conversation, in order). Replies are stored before any channel sends them.
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import repository
from bot.metrics import Metrics
from bot.models import Conversation, Message, utcnow
from domain.conversation import (
    AddTicketNote,
    AnswerTopic,
    ButtonPressed,
    CancelHandoff,
    CancelReminders,
    CommandIssued,
    DialogueState,
    Event,
    OpenHandoff,
    RecordComment,
    RecordMiss,
    RecordRating,
    Reply,
    ScheduleReminders,
    ShowChecklist,
    ShowPoints,
    ShowStep,
    Step,
    Understanding,
    UnsupportedContent,
    UserText,
)
from domain.dialogue import CANCEL_BUTTON, Policy, step
from domain.flows import load_flows, reminder_plan
from domain.formatting import minutes_text, opening_text
from domain.guide import DATE_QUESTIONS
from domain.guide_state import milestones
from domain.i18n import translations_for
from domain.knowledge import Article
from domain.office_hours import CHINA, OfficeHours
from domain.responses import (
    OutgoingMessage,
    render_answer,
    render_checklist,
    render_points,
    render_reply,
    render_step,
)
from domain.search import search_topics
from nlu.client import NluUnavailable, Parse, Parser
from nlu.entities import extract_entities, find_dates
from nlu.language import detect_language

log = logging.getLogger(__name__)

MAX_TEXT_LENGTH = 4000
DEFAULT_MINUTES_PER_TICKET = 5.0


@dataclass(frozen=True)
class Inbound:
    """What a channel received, before it is understood."""

    text: str = ""
    payload: str | None = None
    command: str | None = None
    argument: str = ""
    unsupported: str | None = None

    @classmethod
    def typed(cls, text: str) -> Inbound:
        """What a user typed: "/name argument" is a command (Telegram may add "@botname")."""
        if text.startswith("/"):
            name, _, argument = text[1:].partition(" ")
            return cls(text=text, command=name.split("@")[0].lower(), argument=argument)
        return cls(text=text)


def event_for(message: Message) -> Event:
    """Rebuild the dialogue event of a stored inbound message (without its understanding)."""
    if message.payload and message.payload.startswith("/"):
        name, _, argument = message.payload[1:].partition(" ")
        return CommandIssued(name, argument)
    if message.payload and message.payload.startswith("!"):
        return UnsupportedContent(message.payload[1:])
    if message.payload:
        return ButtonPressed(message.payload)
    if not message.text.strip():
        return UnsupportedContent("empty")
    if len(message.text) > MAX_TEXT_LENGTH:
        return UnsupportedContent("too_long")
    return UserText(message.text, None)


def stored_payload(inbound: Inbound) -> str | None:
    """Commands and unsupported content are stored in the payload column with a marker."""
    if inbound.command:
        return f"/{inbound.command} {inbound.argument}".rstrip()
    if inbound.unsupported:
        return f"!{inbound.unsupported}"
    return inbound.payload


def inbound_message(
    conversation: Conversation, inbound: Inbound, client_id: str | None = None
) -> Message:
    """A user's message to the conversation, not yet stored."""
    return Message(
        conversation_id=conversation.id,
        direction="in",
        sender="user",
        text=inbound.text,
        payload=stored_payload(inbound),
        client_id=client_id,
        created_at=utcnow(),
    )


@dataclass(frozen=True)
class Answered:
    """What `take_in_and_answer` did: the replies, and the conversation's state after them."""

    replies: list[Message]
    mode: str
    lang: str


@dataclass
class Timing:
    """What one `process` call spent waiting for the NLU service, and the messages it handled."""

    nlu_seconds: float = 0.0
    languages: list[str] = field(default_factory=list)


def resolve_language(state: DialogueState, detected: str | None) -> str:
    """Stored choice > detected language of this message > the conversation's language so far."""
    if state.lang_chosen or detected is None:
        return state.lang
    return detected


def earlier_copy(messages: Sequence[Message], client_id: str | None) -> Message | None:
    """The message the client already sent under `client_id` (a retry), if it is among these."""
    if client_id is None:
        return None
    return next((m for m in messages if m.client_id == client_id), None)


def state_of(conversation: Conversation) -> DialogueState:
    return DialogueState.from_columns(
        lang=conversation.lang,
        role=conversation.role,
        mode=conversation.mode,
        dialogue=conversation.dialogue,
    )


class Assistant:
    """Runs the pipeline for every channel; one instance per process."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        parser: Parser,
        knowledge: Mapping[str, Article],
        *,
        threshold: float = 0.5,
        office_hours: OfficeHours | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        self.sessions = sessions
        self.metrics = metrics or Metrics()
        self.parser = parser
        self.knowledge = knowledge
        self.policy = Policy(knowledge=knowledge, threshold=threshold)
        self.office_hours = office_hours or OfficeHours.parse("mon-fri 09:00-17:00")
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
        # Channels that push replies (Telegram) register a wake-up for their outbox here.
        self.deliverers: dict[str, Callable[[], None]] = {}
        # Called with each new ticket id (e.g. to post it to the officers' Telegram group).
        self.ticket_listeners: list[Callable[[int], None]] = []
        self.escalation_listeners: list[Callable[[int], None]] = []
        # Called with (conversation id, text) for user messages while an officer has the chat.
        self.relay_listeners: list[Callable[[str, str], None]] = []

    def lock(self, conversation_id: str) -> asyncio.Lock:
        lock = self._locks.get(conversation_id)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[conversation_id] = lock
        return lock

    def deliver(self, channel: str) -> None:
        wake = self.deliverers.get(channel)
        if wake is not None:
            wake()

    async def receive(
        self, session: AsyncSession, conversation: Conversation, inbound: Inbound
    ) -> Message:
        """Store an inbound message in the caller's transaction (the inbox)."""
        message = inbound_message(conversation, inbound)
        await repository.add_message(session, conversation, message)
        return message

    async def process(self, conversation_id: str) -> list[Message]:
        """Answer every pending inbound message of a conversation, in order; return the replies."""
        return (await self.take_in_and_answer(conversation_id)).replies

    async def take_in_and_answer(
        self,
        conversation_id: str,
        inbound: Inbound | None = None,
        client_id: str | None = None,
    ) -> Answered:
        """In one transaction: store `inbound` (unless the client already sent it under
        `client_id`) and answer every pending message of the conversation, in order. Nothing
        is acknowledged before the commit, so a crash loses nothing the client was told of."""
        opened: list[int] = []
        relayed: list[str] = []
        timing = Timing()
        async with self.lock(conversation_id):
            started = time.perf_counter()
            async with self.sessions.begin() as session:
                locked = await repository.lock_with_inbox_flags(session, conversation_id, client_id)
                if locked is None:
                    return Answered([], "bot", "")
                conversation = locked.conversation
                found: Sequence[Message] = []
                if locked.inbox_may_hold:  # rare: after a crash, for a retry, under contention
                    with session.no_autoflush:  # the conversation's row is written once
                        found = await repository.inbox(session, conversation_id, client_id)
                inbox = [m for m in found if m.processed_at is None]
                sent_before = earlier_copy(found, client_id)
                if inbound is not None and sent_before is None:
                    # Stored by _answer once understood: one INSERT, complete.
                    inbox.append(inbound_message(conversation, inbound, client_id))
                replies: list[Message] = []
                for pending in inbox:
                    if conversation.mode != "bot" and pending.text:
                        relayed.append(pending.text)
                    replies.extend(
                        await self._answer(session, conversation, pending, opened, timing)
                    )
                if sent_before is not None and sent_before not in inbox:  # a retry
                    replies = list(await repository.replies_to(session, sent_before.id))
                channel, mode, lang = conversation.channel, conversation.mode, conversation.lang
            self._count(channel, replies, timing, time.perf_counter() - started)
        if replies:
            self.deliver(channel)
        for text in relayed:
            for relay in self.relay_listeners:
                relay(conversation_id, text)
        for ticket_id in opened:
            for listener in self.ticket_listeners:
                listener(ticket_id)
        return Answered(replies, mode, lang)

    def _count(self, channel: str, replies: list[Message], timing: Timing, seconds: float) -> None:
        for language in timing.languages:
            self.metrics.messages_in.labels(channel, language).inc()
        for reply in replies:
            self.metrics.messages_out.labels(channel, reply.language or "", reply.sender).inc()
        if timing.languages:
            own = max(0.0, seconds - timing.nlu_seconds) / len(timing.languages)
            for _ in timing.languages:
                self.metrics.bot_processing.observe(own)

    async def process_all_pending(self) -> int:
        """After a restart: answer whatever was stored but not answered."""
        async with self.sessions() as session:
            pending = await repository.conversations_with_pending_inbound(session)
        for conversation_id in pending:
            await self.process(conversation_id)
        return len(pending)

    async def _understand(self, text: str, timing: Timing) -> Parse | None:
        started = time.perf_counter()
        try:
            return await self.parser.parse(text)
        except NluUnavailable:
            return None
        finally:
            timing.nlu_seconds += time.perf_counter() - started

    async def _answer(
        self,
        session: AsyncSession,
        conversation: Conversation,
        inbound: Message,
        opened: list[int],
        timing: Timing,
    ) -> list[Message]:
        state = state_of(conversation)
        event = event_for(inbound)
        if isinstance(event, UserText):
            state = state.evolve(lang=resolve_language(state, detect_language(event.text)))
            if state.mode.value == "bot":
                event = await self._with_understanding(event, state, timing)
            inbound.intent = event.understanding.intent if event.understanding else None
            inbound.confidence = event.understanding.confidence if event.understanding else None
        inbound.language = state.lang
        timing.languages.append(state.lang)
        result = step(state, event, self.policy)
        inbound.processed_at = utcnow()
        if inbound.id is None:  # taken in by this transaction
            await repository.add_message(session, conversation, inbound)
        replies = await self.perform(session, conversation, result, inbound=inbound, opened=opened)
        log.info(
            "answered message %s of conversation %s: intent=%s replies=%d",
            inbound.id,
            conversation.id,
            inbound.intent,
            len(replies),
        )
        return replies

    async def perform(
        self,
        session: AsyncSession,
        conversation: Conversation,
        result: Step,
        *,
        inbound: Message | None = None,
        opened: list[int] | None = None,
    ) -> list[Message]:
        """Carry out a dialogue step's effects, store its replies and the new state."""
        new = result.state
        for kind, flow in milestones(state_of(conversation).guide, new.guide):
            repository.record_walkthrough(session, conversation.id, flow, kind)
        translations = translations_for(new.lang)
        outgoing: list[OutgoingMessage] = []
        for effect in result.effects:
            match effect:
                case Reply():
                    outgoing.append(render_reply(effect, translations, new.lang))
                case ShowStep():
                    today = utcnow().astimezone(CHINA).date()
                    outgoing.append(render_step(effect, translations, new.lang, today))
                case ShowChecklist():
                    outgoing.append(render_checklist(effect, translations, new.lang))
                case ShowPoints():
                    outgoing.append(render_points(effect, translations, new.lang))
                case ScheduleReminders():
                    plan = reminder_plan(
                        load_flows()[effect.flow], effect.answers, effect.done, utcnow()
                    )
                    await repository.schedule_reminders(session, conversation.id, effect.flow, plan)
                    key = "guide.reminders_on" if plan else "guide.reminders_none"
                    outgoing.append(render_reply(Reply(key), translations, new.lang))
                case CancelReminders():
                    await repository.cancel_reminders(session, conversation.id)
                case AnswerTopic():
                    article = self.knowledge[effect.topic]
                    outgoing.extend(
                        render_answer(effect, article, new.role, translations, new.lang)
                    )
                case RecordMiss():
                    await repository.record_miss(
                        session,
                        message_id=inbound.id if inbound else None,
                        language=new.lang,
                        text=inbound.text if inbound else "",
                        reason=effect.reason,
                        intent=effect.intent,
                        confidence=effect.confidence,
                    )
                case OpenHandoff():
                    ticket = await repository.open_ticket(
                        session, conversation, topic=effect.topic, language=new.lang
                    )
                    outgoing.append(await self._queue_notice(session, ticket.id, new.lang))
                    if opened is not None:
                        opened.append(ticket.id)
                case AddTicketNote():
                    await repository.note_open_ticket(session, conversation.id, effect.text)
                case CancelHandoff():
                    await repository.cancel_waiting_tickets(session, conversation.id)
                case RecordRating():
                    await repository.rate_last_ticket(session, conversation.id, effect.score)
                case RecordComment():
                    await repository.comment_last_ticket(session, conversation.id, effect.text)
        conversation.lang = new.lang
        conversation.role = new.role.value if new.role else None
        conversation.mode = new.mode.value
        conversation.dialogue = new.to_json()
        replies = []
        for message in outgoing:
            replies.append(
                await repository.append_bot_message(
                    session,
                    conversation,
                    message,
                    language=new.lang,
                    reply_to=inbound.id if inbound else None,
                )
            )
        return replies

    async def _queue_notice(
        self, session: AsyncSession, ticket_id: int, lang: str
    ) -> OutgoingMessage:
        """Where the user stands in the queue, and an honest wait (or when the center opens)."""
        translations = translations_for(lang)
        now = utcnow()
        if self.office_hours.is_open(now):
            position = await repository.queue_position(session, ticket_id)
            average = await repository.average_minutes_to_claim(session)
            minutes = max(1, round((average or DEFAULT_MINUTES_PER_TICKET) * position))
            wait = minutes_text(minutes, translations)
            reply = Reply(
                "handoff.waiting", {"position": position, "wait": wait}, buttons=(CANCEL_BUTTON,)
            )
        else:
            opens = opening_text(self.office_hours.next_opening(now), lang)
            reply = Reply("handoff.after_hours", {"opens": opens}, buttons=(CANCEL_BUTTON,))
        return render_reply(reply, translations)

    async def _with_understanding(
        self, event: UserText, state: DialogueState, timing: Timing
    ) -> UserText:
        parse = await self._understand(event.text, timing)
        if parse is None:
            hits = search_topics(event.text, self.knowledge, translations_for(state.lang))
            return UserText(event.text, None, hits)
        entities: list[Mapping[str, Any]] = [*parse.entities]
        entities.extend(e.as_dict() for e in extract_entities(event.text, state.lang))
        question = state.guide.question
        if question in DATE_QUESTIONS:
            prefer = "future" if question == "expiry" else "current_period"
            today = utcnow().astimezone(CHINA).date()
            for day in find_dates(event.text, state.lang, today=today, prefer=prefer)[:1]:
                entities.append({"entity": "date", "value": day.isoformat()})
        return UserText(
            event.text,
            Understanding(
                intent=parse.intent,
                confidence=parse.confidence,
                ranking=parse.ranking,
                entities=tuple(entities),
            ),
        )


def message_json(message: Message) -> dict[str, Any]:
    """The API shape of a stored message."""
    return {
        "id": message.id,
        "seq": message.seq,
        "sender": message.sender,
        "text": message.text,
        "buttons": (message.buttons or {}).get("items", []),
        "created_at": message.created_at.isoformat(),
    }
