"""A fuzzy search of the knowledge base in the user's language, for when the NLU is down."""

from __future__ import annotations

from collections.abc import Mapping

from babel.support import NullTranslations
from rapidfuzz import fuzz, process, utils

from domain.knowledge import Article
from domain.responses import TOPIC_TITLES


def search_topics(
    text: str, knowledge: Mapping[str, Article], t: NullTranslations, limit: int = 3
) -> tuple[str, ...]:
    """The topics whose title or answer best match the text (rapidfuzz, partial matching)."""
    documents = {
        topic: " ".join(
            [t.gettext(TOPIC_TITLES.get(topic, topic)), *map(t.gettext, article.parts["anyone"])]
        )
        for topic, article in knowledge.items()
    }
    query = utils.default_process(text)
    if len(query) < 2:
        return ()
    matches = process.extract(
        query,
        documents,
        scorer=fuzz.partial_token_set_ratio if " " in query else fuzz.partial_ratio,
        processor=utils.default_process,
        limit=limit,
        score_cutoff=60,
    )
    return tuple(str(key) for _, _, key in matches)
