"""The dialogue's vocabulary: its state, the events it reacts to and the effects it asks for."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from domain.guide_state import Guide


class Mode(StrEnum):
    """Who is answering the conversation."""

    BOT = "bot"
    WAITING_FOR_OFFICER = "waiting_for_officer"
    WITH_OFFICER = "with_officer"


class Role(StrEnum):
    """Who the user is, when known."""

    FOREIGNER = "foreigner"
    EMPLOYER = "employer"


class Awaiting(StrEnum):
    """A yes/no question the bot has asked and waits an answer to."""

    NOTHING = "nothing"
    HANDOFF_CONFIRMATION = "handoff_confirmation"
    RATING = "rating"
    RATING_COMMENT = "rating_comment"
    HANDOFF_NOTE = "handoff_note"


@dataclass(frozen=True)
class DialogueState:
    """Everything the dialogue remembers between two messages (stored as JSON in SQL)."""

    lang: str = "en"
    lang_chosen: bool = False
    role: Role | None = None
    mode: Mode = Mode.BOT
    misses: int = 0
    last_topic: str | None = None
    awaiting: Awaiting = Awaiting.NOTHING
    guide: Guide = field(default_factory=Guide)

    def evolve(self, **changes: Any) -> DialogueState:
        return replace(self, **changes)

    def to_json(self) -> dict[str, Any]:
        return {
            "misses": self.misses,
            "last_topic": self.last_topic,
            "awaiting": self.awaiting.value,
            "lang_chosen": self.lang_chosen,
            "guide": self.guide.to_json(),
        }

    @classmethod
    def from_columns(
        cls, *, lang: str, role: str | None, mode: str, dialogue: Mapping[str, Any] | None
    ) -> DialogueState:
        data = dialogue or {}
        return cls(
            lang=lang,
            role=Role(role) if role else None,
            mode=Mode(mode),
            misses=int(data.get("misses", 0)),
            last_topic=data.get("last_topic"),
            awaiting=Awaiting(data.get("awaiting", Awaiting.NOTHING.value)),
            lang_chosen=bool(data.get("lang_chosen", False)),
            guide=Guide.from_json(data.get("guide")),
        )


@dataclass(frozen=True)
class Understanding:
    """What the NLU made of a message."""

    intent: str | None
    confidence: float
    ranking: tuple[tuple[str, float], ...] = ()
    entities: tuple[Mapping[str, Any], ...] = ()


# --- events -------------------------------------------------------------------------------


@dataclass(frozen=True)
class UserText:
    """A message typed by the user; `understanding` is None when the NLU service is down."""

    text: str
    understanding: Understanding | None
    search_hits: tuple[str, ...] = ()


@dataclass(frozen=True)
class ButtonPressed:
    """A button payload sent back by the user (see `domain.payloads`)."""

    payload: str


@dataclass(frozen=True)
class CommandIssued:
    """A slash command: /start, /help, /language [xx]."""

    name: str
    argument: str = ""


@dataclass(frozen=True)
class UnsupportedContent:
    """Something the bot cannot read: a photo, a sticker, a voice message, an empty text."""

    kind: str


Event = UserText | ButtonPressed | CommandIssued | UnsupportedContent


# --- effects ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Button:
    """A button: a response key for its title and the payload it sends back."""

    title: str
    payload: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Reply:
    """A message to send, as a response key and its parameters (text comes from the catalogs)."""

    key: str
    params: Mapping[str, Any] = field(default_factory=dict)
    buttons: tuple[Button, ...] = ()


@dataclass(frozen=True)
class AnswerTopic:
    """Send the knowledge-base answer of a topic, in parts, with its follow-up buttons."""

    topic: str
    buttons: tuple[Button, ...] = ()


@dataclass(frozen=True)
class RecordMiss:
    """Keep a message the assistant did not understand, for review."""

    reason: str
    intent: str | None
    confidence: float


@dataclass(frozen=True)
class OpenHandoff:
    """Put the conversation in the officers' queue."""

    topic: str | None


@dataclass(frozen=True)
class CancelHandoff:
    """Take the conversation's waiting ticket off the queue."""


@dataclass(frozen=True)
class AddTicketNote:
    """The user's note for the officer, on the conversation's open ticket."""

    text: str


@dataclass(frozen=True)
class RecordRating:
    """The user's 1-5 rating of the officer's help (the latest closed ticket)."""

    score: int


@dataclass(frozen=True)
class RecordComment:
    """The user's comment on the officer's help."""

    text: str


# --- effects the walk-through asks the edge to render or do -----------------------------------


@dataclass(frozen=True)
class ShowStep:
    """The current step's card: what, where, documents, deadline, fee, tips."""

    flow: str
    index: int
    answers: Mapping[str, str]
    done: tuple[str, ...]


@dataclass(frozen=True)
class ShowChecklist:
    flow: str
    answers: Mapping[str, str]
    done: tuple[str, ...]
    current: int


@dataclass(frozen=True)
class ShowPoints:
    answers: Mapping[str, str]


@dataclass(frozen=True)
class ScheduleReminders:
    flow: str
    answers: Mapping[str, str]
    done: tuple[str, ...]


@dataclass(frozen=True)
class CancelReminders:
    pass


Effect = (
    Reply
    | AnswerTopic
    | RecordMiss
    | OpenHandoff
    | CancelHandoff
    | AddTicketNote
    | RecordRating
    | RecordComment
    | ShowStep
    | ShowChecklist
    | ShowPoints
    | ScheduleReminders
    | CancelReminders
)


@dataclass(frozen=True)
class Step:
    """The result of one dialogue step."""

    state: DialogueState
    effects: tuple[Effect, ...]
