"""The topic catalog: every intent the assistant recognises, with its stable id."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path

import yaml

CATALOG_PATH = Path(__file__).with_name("topics.yml")


class TopicKind(StrEnum):
    FAQ = "faq"
    FLOW = "flow"
    META = "meta"


@dataclass(frozen=True)
class Topic:
    """One intent of the catalog."""

    id: str
    kind: TopicKind
    audience: str
    scope: str

    @property
    def answerable(self) -> bool:
        """Whether the knowledge base answers it (FAQ and flow topics)."""
        return self.kind in (TopicKind.FAQ, TopicKind.FLOW)


@dataclass(frozen=True)
class Catalog:
    """The languages and topics of the product."""

    languages: tuple[str, ...]
    topics: dict[str, Topic]

    def answerable(self) -> list[Topic]:
        return [topic for topic in self.topics.values() if topic.answerable]


@cache
def load_catalog(path: Path = CATALOG_PATH) -> Catalog:
    """Read the catalog YAML (a copy of the shared spec, checked by a test)."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    topics = {
        item["id"]: Topic(
            id=item["id"],
            kind=TopicKind(item["kind"]),
            audience=item.get("audience", "anyone"),
            scope=item.get("scope", ""),
        )
        for item in raw["intents"]
    }
    return Catalog(languages=tuple(raw["languages"]), topics=topics)


# The product languages, in the catalog's order (a test checks they match it).
LANGUAGES: tuple[str, ...] = ("en", "zh", "ko", "ja", "ru", "fr", "de", "es", "ar", "vi")
RTL_LANGUAGES = frozenset({"ar"})
