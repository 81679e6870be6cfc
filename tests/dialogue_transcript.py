"""Transcript-style dialogue tests: what the user does, and the response keys of the answer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from domain.conversation import (
    AnswerTopic,
    CancelReminders,
    DialogueState,
    Event,
    OpenHandoff,
    RecordMiss,
    Reply,
    ScheduleReminders,
    ShowChecklist,
    ShowPoints,
    ShowStep,
    Step,
    Understanding,
    UserText,
)
from domain.dialogue import Policy, step
from domain.knowledge import load_knowledge

POLICY = Policy(knowledge=load_knowledge(), threshold=0.5)


def understood(intent: str, confidence: float = 0.95, **extra: object) -> UserText:
    """A typed message the NLU classified."""
    ranking = tuple(extra.get("ranking", ((intent, confidence),)))  # type: ignore[arg-type]
    entities = tuple(extra.get("entities", ()))  # type: ignore[arg-type]
    return UserText(intent, Understanding(intent, confidence, ranking, entities))


def describe(result: Step) -> list[str]:
    """The effects as short words: `greet`, `answer:faq_fees`, `miss`, `handoff`."""
    words = []
    for effect in result.effects:
        match effect:
            case Reply():
                words.append(effect.key)
            case AnswerTopic():
                words.append(f"answer:{effect.topic}")
            case RecordMiss():
                words.append("miss")
            case OpenHandoff():
                words.append("handoff")
            case ShowStep():
                words.append(f"step:{effect.index}")
            case ShowChecklist():
                words.append("checklist")
            case ShowPoints():
                words.append("points")
            case ScheduleReminders():
                words.append("remind")
            case CancelReminders():
                words.append("unremind")
    return words


@dataclass
class Transcript:
    state: DialogueState

    def verify(self, turns: Sequence[tuple[Event, Sequence[str]]]) -> DialogueState:
        for event, expected in turns:
            result = step(self.state, event, POLICY)
            assert describe(result) == list(expected), (event, describe(result))
            self.state = result.state
        return self.state


def verify_dialog(
    turns: Sequence[tuple[Event, Sequence[str]]], state: DialogueState | None = None
) -> DialogueState:
    return Transcript(state or DialogueState()).verify(turns)
