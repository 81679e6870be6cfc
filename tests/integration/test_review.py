"""Unanswered questions: grouped for review, assigned by a supervisor, exported as Rasa NLU data
that Rasa's own reader (in the NLU environment) loads."""

from __future__ import annotations

import asyncio
import json
import subprocess
import uuid
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from bot.cli import main
from bot.db import create_engine, session_factory
from bot.models import Miss
from bot.settings import Settings
from nlu.rasa_env import rasa_environment, rasa_executable
from tests.integration.helpers import WebVisitor, running_app
from tests.integration.officers import OfficerClient, make_officer

pytestmark = pytest.mark.integration

READ_WITH_RASA = """
import json, sys
from rasa.shared.nlu.training_data.loading import load_data
data = load_data(sys.argv[1])
print(json.dumps({"intents": sorted(data.intents),
                  "texts": sorted(e.get("text") for e in data.training_examples)}))
"""


async def seed_misses(database_url: str, tag: str) -> None:
    texts = [
        ("ko", f"운전면허 갱신은 어디서 해요 {tag}"),
        ("ko", f"운전면허 갱신 어디서 하나요 {tag}"),
        ("ko", f"운전 면허 갱신은 어디서 해요? {tag}"),
        ("ar", f"كم تكلفة تجديد رخصة العمل {tag}"),
        ("ar", f"كم تكلفة تجديد رخصة العمل؟ {tag}"),
        ("en", f"my cat ate the residence card {tag}"),
        ("en", f"line one\nline two: {tag}"),
    ]
    engine = create_engine(database_url)
    async with session_factory(engine).begin() as session:
        for language, text in texts:
            session.add(Miss(language=language, text=text, reason="low_confidence", intent=None))
    await engine.dispose()


async def test_review_assign_and_export_as_rasa_data(
    database_url: str, rasa_url: str, tmp_path: Path
) -> None:
    tag = uuid.uuid4().hex[:8]
    letters = "".join(chr(ord("k") + int(c, 16) % 16) for c in tag)  # nonsense, no digits
    await seed_misses(database_url, tag)
    settings = Settings(database_url=database_url, rasa_url=rasa_url)
    supervisor = await make_officer(database_url, role="supervisor")
    plain = await make_officer(database_url)
    async with running_app(settings) as client:
        # A real miss too: the visitor's unclear message is stored for review.
        visitor = await WebVisitor(client).start(lang="en")
        await visitor.say(f"qwzx plorb {letters}")

        officer = await OfficerClient(client, plain).login()
        assert (await client.get("/api/v1/review", headers=officer.headers)).status == 403
        boss = await OfficerClient(client, supervisor).login()
        review = await boss.get("/api/v1/review")
        mine = [g for g in review["groups"] if any(tag in q["text"] for q in g["questions"])]
        by_language = {(g["language"], g["size"]) for g in mine}
        assert ("ko", 3) in by_language and ("ar", 2) in by_language
        assert any(letters in q["text"] for g in review["groups"] for q in g["questions"])
        assert "faq_fees" in review["topics"]

        korean = next(g for g in mine if g["language"] == "ko")
        arabic = next(g for g in mine if g["language"] == "ar")
        english = [q for g in mine if g["language"] == "en" for q in g["questions"]]
        status, body = await boss.post(
            "/api/v1/review/assign",
            {"ids": [q["id"] for q in korean["questions"]], "topic": "out_of_scope"},
        )
        assert status == 200 and body["updated"] == 3
        status, _ = await boss.post(
            "/api/v1/review/assign",
            {"ids": [q["id"] for q in arabic["questions"]], "topic": "faq_fees"},
        )
        assert status == 200
        multiline = next(q for q in english if "line one" in q["text"])
        await boss.post(
            "/api/v1/review/assign", {"ids": [multiline["id"]], "topic": "faq_lost_permit"}
        )
        cat = next(q for q in english if "cat ate" in q["text"])
        await boss.post("/api/v1/review/assign", {"ids": [cat["id"]], "topic": None})
        for wrong in ({"ids": [1], "topic": "no_such_topic"}, {"ids": "1"}, {"ids": [True]}):
            status, body = await boss.post("/api/v1/review/assign", wrong)
            assert status == 400, wrong

        remaining = await boss.get("/api/v1/review?status=open")
        assert not any(tag in q["text"] for g in remaining["groups"] for q in g["questions"])
        dismissed = await boss.get("/api/v1/review?status=dismissed&language=en")
        assert any("cat ate" in q["text"] for g in dismissed["groups"] for q in g["questions"])

    def export() -> str:
        result = CliRunner().invoke(
            main,
            ["nlu", "export-reviewed", "--out", str(tmp_path)],
            env={"DATABASE_URL": database_url},
        )
        assert result.exit_code == 0, result.output
        return result.output

    await asyncio.to_thread(export)
    loaded = await asyncio.to_thread(read_with_rasa, tmp_path)
    assert {"ko", "ar", "en"} <= set(loaded)
    mine = {lang: [t for t in data["texts"] if tag in t] for lang, data in loaded.items()}
    assert "out_of_scope" in loaded["ko"]["intents"] and len(mine["ko"]) == 3
    # The two Arabic questions differ only by a question mark: one example is enough.
    assert "faq_fees" in loaded["ar"]["intents"] and len(mine["ar"]) == 1
    assert f"line one line two: {tag}" in mine["en"]
    assert not any("cat ate" in t for t in mine["en"])


def read_with_rasa(directory: Path) -> dict[str, dict[str, list[str]]]:
    """Each exported file as Rasa's own loader reads it (in the NLU environment)."""
    loaded = {}
    for path in sorted(directory.glob("*.yml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert raw["version"] == "3.1"
        checked = subprocess.run(
            [str(rasa_executable().with_name("python")), "-c", READ_WITH_RASA, str(path)],
            env=rasa_environment(),
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert checked.returncode == 0, checked.stderr[-2000:]
        loaded[path.stem] = json.loads(checked.stdout.strip().splitlines()[-1])
    return loaded
