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


def milestones(before: Guide, after: Guide) -> tuple[tuple[str, str], ...]:
    """What a step did to a walk-through, for the statistics: ("started" | "finished", flow).

    Started: the person is now in a flow they were not in before. Finished: they walked past
    the last step (walking stops while the flow and no open question remain).
    """
    found: list[tuple[str, str]] = []
    if after.flow is not None and after.flow != before.flow:
        found.append(("started", after.flow))
    if (
        before.walking
        and not after.walking
        and after.question is None
        and after.flow is not None
        and after.flow == before.flow
    ):
        found.append(("finished", after.flow))
    return tuple(found)
