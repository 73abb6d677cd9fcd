"""Shared fixtures: a temporary corpus written from strings, and the project root."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from fixtures_site import *  # noqa: F403

pytest_plugins = ("browser_support",)  # the browser, page and axe fixtures

PROJECT_ROOT = Path(__file__).resolve().parent.parent

THEMES_YML = """\
- id: older-persons
  title: {en: Older persons, fr: Personnes âgées, es: Personas mayores}
  description: {en: Pensions and care for older persons., fr: Pensions et soins pour les personnes âgées., es: Pensiones y cuidados para las personas mayores.}
- id: maternity
  title: {en: Maternity, fr: Maternité, es: Maternidad}
  description: {en: Maternity benefits and leave., fr: Prestations et congé de maternité., es: Prestaciones y licencia de maternidad.}
- id: health
  title: {en: Health, fr: Santé, es: Salud}
  description: {en: Social health protection., fr: Protection sociale de la santé., es: Protección social de la salud.}
- id: children
  title: {en: Children, fr: Enfants, es: Niñez}
  description: {en: Child benefits., fr: Prestations pour enfants., es: Prestaciones por hijos.}
- id: climate-change
  title: {en: Climate change, fr: Changement climatique, es: Cambio climático}
  description: {en: Social protection and climate change., fr: Protection sociale et changement climatique., es: Protección social y cambio climático.}
"""

REGIONS_YML = """\
- id: sahel
  title: {en: Sahel, fr: Sahel, es: Sahel}
  countries: [BFA, TCD, MLI, MRT, NER, SEN]
"""

VALID_BRIEF = """\
---
title: A valid brief
countries: [MOZ]
themes: [older-persons]
date: 2016-02-23
summary: A short summary of the brief.
---
## Context

Some text.
"""


class CorpusWriter:
    """Writes briefs and vocabularies into a temporary content folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        (root / "themes.yml").write_text(THEMES_YML, encoding="utf-8")
        (root / "regions.yml").write_text(REGIONS_YML, encoding="utf-8")

    def write(self, rel: str, text: str | bytes, dedent: bool = True) -> Path:
        """Write one file under the content folder and return its path."""
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text) if dedent else text, encoding="utf-8")
        return path

    def brief(self, rel: str, body: str = "## Context\n\nSome text.\n", **fields: str) -> Path:
        """Write a brief from front-matter lines (values as YAML text) and a body."""
        front = {
            "title": "A brief",
            "countries": "[MOZ]",
            "themes": "[older-persons]",
            "date": "2016-02-23",
            "summary": "A short summary.",
        }
        front.update(fields)
        lines = ["---", *(f"{k}: {v}" for k, v in front.items() if v is not None), "---", body]
        return self.write(rel, "\n".join(lines), dedent=False)


@pytest.fixture
def corpus(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CorpusWriter:
    """A content folder ``briefs/`` in a temporary project; the working directory is the project."""
    monkeypatch.chdir(tmp_path)
    return CorpusWriter(tmp_path / "briefs")


@pytest.fixture
def project_root() -> Path:
    """The repository root (with the example corpus)."""
    return PROJECT_ROOT


Writer = Callable[..., Path]
