"""Unit checks for the center's tools: walk-through milestones, charts, review grouping and the
exported training data, and that the migrations build exactly the models' schema."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
from pathlib import Path

import yaml
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from PIL import Image
from sqlalchemy import create_engine

from bot import db
from bot.charts import chart, to_csv
from bot.models import Base
from bot.review import Question, group_similar, training_yaml
from bot.statistics import Rows, Table, build
from domain.guide_state import Guide, milestones

NOW = dt.datetime(2026, 11, 22, tzinfo=dt.UTC)


def test_a_walk_through_starts_when_a_flow_is_chosen_and_finishes_past_its_last_step() -> None:
    assert milestones(Guide(), Guide(flow="from_abroad", question="category")) == (
        ("started", "from_abroad"),
    )
    walking = Guide(flow="from_abroad", walking=True, step=5)
    assert milestones(walking, walking.evolve(step=6)) == ()
    assert milestones(walking, walking.evolve(walking=False)) == (("finished", "from_abroad"),)
    # Asking a question again, or cancelling, is not finishing.
    assert milestones(walking, walking.evolve(walking=False, question="expiry")) == ()
    assert milestones(walking, Guide()) == ()


def test_charts_are_valid_pictures_even_without_data() -> None:
    empty = build(Rows(), dt.date(2026, 1, 1), dt.date(2026, 1, 7))
    for table in empty.tables:
        if table.chart == "none":
            continue
        with Image.open(io.BytesIO(chart(table, "png"))) as picture:
            assert picture.format == "PNG"
        assert chart(table, "svg").lstrip().startswith(b"<?xml")
    assert empty.summary["conversations"] == 0 and empty.summary["handoff rate %"] is None


def test_csv_keeps_commas_and_quotes_inside_cells() -> None:
    table = Table("t", "T", ("name", "n"), (('a, "b"', 1), ("c", None)))
    assert to_csv(table) == 'name,n\n"a, ""b""",1\nc,\n'


def question(n: int, language: str, text: str, topic: str | None = None) -> Question:
    return Question(n, language, text, "faq_fees", 0.2, NOW, topic)


def test_similar_questions_of_one_language_are_grouped() -> None:
    groups = group_similar(
        [
            question(1, "en", "How much is the work permit?"),
            question(2, "en", "how much is the work permit"),
            question(3, "de", "how much is the work permit"),  # another language: own group
            question(4, "en", "Where do I park my car?"),
            question(5, "en", "How much is the work permit??"),
        ]
    )
    assert [(g.language, [q.id for q in g.questions]) for g in groups] == [
        ("en", [1, 2, 5]),
        ("de", [3]),
        ("en", [4]),
    ]
    assert groups[0].suggestion == "faq_fees"


def test_exported_training_data_is_rasa_yaml_without_repeats_or_known_examples() -> None:
    text = training_yaml(
        [
            question(1, "en", "Fee for the permit?\nAnd the visa?", "faq_fees"),
            question(2, "en", "fee for the permit and the visa", "faq_fees"),  # a repeat
            question(3, "en", "hello there", "greet"),  # already in the training data
            question(4, "en", "- starts with a dash: and colon", "faq_fees"),
        ],
        known={"hello there"},
    )
    data = yaml.safe_load(text)
    assert data["version"] == "3.1"
    assert data["nlu"] == [
        {
            "intent": "faq_fees",
            "examples": "- Fee for the permit? And the visa?\n- - starts with a dash: and colon\n",
        }
    ]
    assert "examples: |" in text


def test_the_migrations_build_exactly_the_models(tmp_path: Path) -> None:
    path = tmp_path / "schema.db"
    asyncio.run(asyncio.to_thread(db.upgrade, f"sqlite+aiosqlite:///{path}"))
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    engine.dispose()
    assert differences == []
