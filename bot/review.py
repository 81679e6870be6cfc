"""Unanswered questions: grouped for review, assigned to topics, written out as training data.

Grouping is greedy within a language: each question joins the first group whose first question
is similar enough (rapidfuzz's token-sort ratio on case- and accent-folded text), else starts
a new group. Assigned questions become Rasa NLU YAML, one file per language.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from rapidfuzz import fuzz
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models import Miss, utcnow

SIMILAR = 70.0
STATUSES = ("open", "assigned", "dismissed")


def folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[\W_]+", " ", plain).strip()


@dataclass(frozen=True)
class Question:
    id: int
    language: str
    text: str
    guess: str | None  # what the model thought, below the threshold
    confidence: float | None
    created_at: dt.datetime
    topic: str | None = None


@dataclass
class Group:
    language: str
    questions: list[Question] = field(default_factory=list)

    @property
    def key(self) -> str:
        return folded(self.questions[0].text)

    @property
    def suggestion(self) -> str | None:
        """The model's most frequent guess in the group, as a hint for the reviewer."""
        guesses = Counter(q.guess for q in self.questions if q.guess and q.guess != "out_of_scope")
        return guesses.most_common(1)[0][0] if guesses else None


def group_similar(questions: Iterable[Question], threshold: float = SIMILAR) -> list[Group]:
    """Similar questions of one language together; the biggest groups first."""
    groups: list[Group] = []
    for question in questions:
        text = folded(question.text)
        match = next(
            (
                g
                for g in groups
                if g.language == question.language
                and fuzz.token_sort_ratio(text, g.key) >= threshold
            ),
            None,
        )
        if match is None:
            groups.append(Group(question.language, [question]))
        else:
            match.questions.append(question)
    return sorted(groups, key=lambda g: (-len(g.questions), g.language, g.questions[0].id))


def question_of(miss: Miss) -> Question:
    return Question(
        id=miss.id,
        language=miss.language,
        text=miss.text,
        guess=miss.intent,
        confidence=miss.confidence,
        created_at=miss.created_at,
        topic=miss.assigned_topic,
    )


async def questions(
    session: AsyncSession, status: str = "open", language: str | None = None, limit: int = 1000
) -> list[Question]:
    # The newest first: what users ask now matters most, and the oldest are cut off first.
    query = select(Miss).where(Miss.text != "").order_by(Miss.id.desc()).limit(limit)
    if status == "open":
        query = query.where(Miss.reviewed_at.is_(None))
    elif status == "assigned":
        query = query.where(Miss.assigned_topic.is_not(None))
    else:
        query = query.where(Miss.reviewed_at.is_not(None), Miss.assigned_topic.is_(None))
    if language:
        query = query.where(Miss.language == language)
    return [question_of(m) for m in (await session.execute(query)).scalars()]


async def assign(
    session: AsyncSession, ids: Sequence[int], topic: str | None, officer_id: int
) -> int:
    """Give questions a topic (or dismiss them with None); returns how many were found."""
    result = await session.execute(
        update(Miss)
        .where(Miss.id.in_(ids))
        .values(assigned_topic=topic, reviewed_at=utcnow(), reviewed_by=officer_id)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def training_yaml(assigned: Iterable[Question], known: Iterable[str] = ()) -> str:
    """Rasa NLU training data (YAML, version 3.1) for one language's assigned questions.

    Questions already in the training data (`known`, folded) and repeats are left out; line
    breaks become spaces so every example stays one line.
    """
    by_topic: dict[str, list[str]] = {}
    seen = set(known)
    for question in sorted(assigned, key=lambda q: q.id):
        text = " ".join(question.text.split())
        key = folded(text)
        if not question.topic or not key or key in seen:
            continue
        seen.add(key)
        by_topic.setdefault(question.topic, []).append(text)
    nlu = [
        {"intent": topic, "examples": "".join(f"- {text}\n" for text in texts)}
        for topic, texts in sorted(by_topic.items())
    ]
    return yaml.dump(
        {"version": "3.1", "nlu": nlu},
        Dumper=BlockDumper,
        allow_unicode=True,
        sort_keys=False,
        width=1000,
    )


class BlockDumper(yaml.SafeDumper):
    """Writes multi-line strings as `|` blocks, the way Rasa's own files look."""


def _block(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


BlockDumper.add_representer(str, _block)


def known_examples(data_dir: Path) -> dict[str, set[str]]:
    """The folded examples of the training data, per language (`nlu/data/<lang>/*.yml`)."""
    known: dict[str, set[str]] = {}
    for path in sorted(data_dir.glob("*/*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        texts = known.setdefault(path.parent.name, set())
        for block in data.get("nlu", []):
            for line in str(block.get("examples", "")).splitlines():
                if line.strip().startswith("- "):
                    texts.add(folded(line.strip()[2:]))
    return known


def write_reviewed(
    assigned: Iterable[Question], out: Path, known: dict[str, set[str]]
) -> dict[str, Path]:
    """One `<lang>.yml` per language with assigned questions; returns the files written."""
    by_language: dict[str, list[Question]] = {}
    for question in assigned:
        by_language.setdefault(question.language, []).append(question)
    out.mkdir(parents=True, exist_ok=True)
    written = {}
    for language, items in sorted(by_language.items()):
        path = out / f"{language}.yml"
        path.write_text(training_yaml(items, known.get(language, set())), encoding="utf-8")
        written[language] = path
    return written
