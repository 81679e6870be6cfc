"""Where a person stands in a walk-through or the points calculator (kept in SQL as JSON)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any


@dataclass(frozen=True)
class Guide:
    """Where a person is in a walk-through (stored in the conversation's dialogue JSON)."""

    flow: str | None = None
    question: str | None = None
    answers: Mapping[str, str] = field(default_factory=dict)
    step: int = 0
    done: tuple[str, ...] = ()
    walking: bool = False
    reminders: bool = False
    points: Mapping[str, str] = field(default_factory=dict)

    def evolve(self, **changes: Any) -> Guide:
        return replace(self, **changes)

    @property
    def unfinished(self) -> bool:
        return self.flow is not None and not self.walking and self.question is None

    def to_json(self) -> dict[str, Any]:
        return {
            "flow": self.flow,
            "question": self.question,
            "answers": dict(self.answers),
            "step": self.step,
            "done": list(self.done),
            "walking": self.walking,
            "reminders": self.reminders,
            "points": dict(self.points),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any] | None) -> Guide:
        if not data:
            return cls()
        return cls(
            flow=data.get("flow"),
            question=data.get("question"),
            answers=dict(data.get("answers") or {}),
            step=int(data.get("step", 0)),
            done=tuple(data.get("done") or ()),
            walking=bool(data.get("walking", False)),
            reminders=bool(data.get("reminders", False)),
            points=dict(data.get("points") or {}),
        )
