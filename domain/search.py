"""A fuzzy search of the knowledge base in the user's language, for when the NLU is down."""

from __future__ import annotations

import re
from collections.abc import Mapping

from babel.support import NullTranslations
from rapidfuzz import fuzz, utils

from domain.knowledge import Article
from domain.responses import TOPIC_TITLES

CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
MIN_SCORE = 70.0


def query_terms(text: str) -> list[str]:
    """Words of three letters or more; for Chinese, Japanese and Korean, character pairs."""
    cleaned = utils.default_process(text)
    terms = [word for word in cleaned.split() if len(word) >= 3 and not CJK.search(word)]
    for word in cleaned.split():
        if CJK.search(word):
            terms += [word[i : i + 2] for i in range(max(1, len(word) - 1))]
    return terms


def search_topics(
    text: str, knowledge: Mapping[str, Article], t: NullTranslations, limit: int = 3
) -> tuple[str, ...]:
    """The topics whose title (weighted) or answer contain the query's words, best first."""
    terms = query_terms(text)
    if not terms:
        return ()
    scored = []
    for topic, article in knowledge.items():
        title = utils.default_process(t.gettext(TOPIC_TITLES.get(topic, topic)))
        body = utils.default_process(" ".join(map(t.gettext, article.parts["anyone"])))
        score = sum(
            max(fuzz.partial_ratio(term, title), 0.85 * fuzz.partial_ratio(term, body))
            for term in terms
        ) / len(terms)
        if score >= MIN_SCORE:
            scored.append((score, topic))
    scored.sort(key=lambda item: -item[0])
    return tuple(topic for _, topic in scored[:limit])
