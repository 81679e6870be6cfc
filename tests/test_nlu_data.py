"""The training data and the held-out set: complete, well-formed, and kept apart."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest
import yaml

from domain.topics import LANGUAGES, load_catalog
from nlu.rasa_env import DATA_DIR, HELDOUT_DIR

MIN_EXAMPLES = 20


def examples(path: Path) -> dict[str, list[str]]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    found: dict[str, list[str]] = {}
    for block in data["nlu"]:
        lines = [line.strip() for line in str(block["examples"]).splitlines() if line.strip()]
        assert all(line.startswith("- ") for line in lines), path
        found.setdefault(block["intent"], []).extend(line[2:].strip() for line in lines)
    return found


def normalised(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"[\W_]+", "", text)


def training(lang: str) -> dict[str, list[str]]:
    merged: dict[str, list[str]] = {}
    for path in sorted((DATA_DIR / lang).glob("*.yml")):
        for intent, items in examples(path).items():
            merged.setdefault(intent, []).extend(items)
    return merged


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_intent_has_enough_training_examples(lang: str) -> None:
    data = training(lang)
    intents = set(load_catalog().topics)
    assert set(data) == intents
    for intent, items in data.items():
        assert len(items) >= MIN_EXAMPLES, (lang, intent, len(items))
        assert (DATA_DIR / lang / f"{intent}.yml").exists()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_example_is_labelled_twice(lang: str) -> None:
    counts = Counter(normalised(t) for items in training(lang).values() for t in items)
    repeated = [text for text, n in counts.items() if n > 1 and text]
    assert not repeated, repeated[:10]


def test_held_out_set_covers_every_language_and_intent() -> None:
    intents = set(load_catalog().topics)
    for lang in LANGUAGES:
        held = examples(HELDOUT_DIR / f"{lang}.yml")
        assert set(held) == intents, lang


def test_held_out_set_shares_no_example_with_the_training_data() -> None:
    trained = {
        normalised(t) for lang in LANGUAGES for items in training(lang).values() for t in items
    }
    for lang in LANGUAGES:
        held = examples(HELDOUT_DIR / f"{lang}.yml")
        shared = [t for items in held.values() for t in items if normalised(t) in trained]
        assert not shared, (lang, shared[:5])
