"""The knowledge base: per topic, the English source answer, its variants, sources and links.

Staff edit `domain/knowledge/<topic>.yml`; each answer part is a gettext message id, translated in
`locales/` (the Babel extractor below collects them).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import IO, Any

import yaml

KNOWLEDGE_DIR = Path(__file__).with_name("knowledge")


@dataclass(frozen=True)
class Article:
    """What the assistant knows about one topic."""

    topic: str
    reviewed: dt.date
    parts: Mapping[str, tuple[str, ...]]
    related: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    needs_officer: bool = False
    extras: Mapping[str, Any] = field(default_factory=dict)

    def parts_for(self, role: str | None) -> tuple[str, ...]:
        """The answer for this role, falling back to the one for anyone."""
        if role and role in self.parts:
            return self.parts[role]
        return self.parts["anyone"]


def _article(raw: Mapping[str, Any]) -> Article:
    reviewed = raw["reviewed"]
    if isinstance(reviewed, str):
        reviewed = dt.date.fromisoformat(reviewed)
    return Article(
        topic=raw["topic"],
        reviewed=reviewed,
        parts={role: tuple(str(p).strip() for p in parts) for role, parts in raw["answer"].items()},
        related=tuple(raw.get("related") or ()),
        sources=tuple(raw.get("sources") or ()),
        needs_officer=bool(raw.get("needs_officer", False)),
    )


@cache
def load_knowledge(directory: Path = KNOWLEDGE_DIR) -> Mapping[str, Article]:
    """Every article of the knowledge base, by topic id."""
    articles = {}
    for path in sorted(directory.glob("*.yml")):
        article = _article(yaml.safe_load(path.read_text(encoding="utf-8")))
        articles[article.topic] = article
    return articles


def extract_messages(
    fileobj: IO[bytes], keywords: object, comment_tags: object, options: object
) -> Iterator[tuple[int, str, str, list[str]]]:
    """Babel extractor: every answer part of a knowledge-base file is a message id."""
    text = fileobj.read().decode("utf-8")
    raw = yaml.safe_load(text)
    lines = text.splitlines()
    for role, parts in raw["answer"].items():
        for part in parts:
            message = str(part).strip()
            first_words = message.split("\n", 1)[0][:30]
            lineno = next(
                (n for n, line in enumerate(lines, 1) if first_words and first_words in line), 1
            )
            comment = f"TRANSLATORS: answer on {raw['topic']} for {role}"
            yield lineno, "", message, [comment]
