"""The topic catalog and the knowledge base agree with the shared spec."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from domain.knowledge import load_knowledge
from domain.responses import TOPIC_TITLES
from domain.topics import CATALOG_PATH, LANGUAGES, load_catalog

SHARED_CATALOG = Path(__file__).resolve().parents[2] / "shared" / "spec" / "topics.yml"


def test_the_catalog_copy_matches_the_shared_spec() -> None:
    if not SHARED_CATALOG.exists():
        pytest.skip("../shared is not beside this checkout")
    assert yaml.safe_load(CATALOG_PATH.read_text()) == yaml.safe_load(SHARED_CATALOG.read_text())


def test_languages_constant_matches_the_catalog() -> None:
    assert load_catalog().languages == LANGUAGES


def test_every_answerable_topic_has_an_article_and_a_title() -> None:
    answerable = {t.id for t in load_catalog().answerable()}
    assert set(load_knowledge()) == answerable
    assert set(TOPIC_TITLES) == answerable


def test_related_topics_exist() -> None:
    knowledge = load_knowledge()
    for article in knowledge.values():
        assert set(article.related) <= set(knowledge), article.topic


def test_the_openapi_file_documents_every_route() -> None:
    from bot.settings import Settings
    from bot.web.app import OPENAPI_PATH, create_app

    spec = yaml.safe_load(OPENAPI_PATH.read_text())
    app = create_app(Settings())
    routes = {
        r.resource.canonical.replace("{id}", "{id}")
        for r in app.router.routes()
        if r.resource is not None
        and r.resource.canonical.startswith(("/api/", "/healthz", "/telegram"))
    }
    documented = set(spec["paths"]) | {"/api/v1/openapi.json"}
    assert routes <= documented, routes - documented
