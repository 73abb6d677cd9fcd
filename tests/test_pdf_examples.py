"""Every example brief of the repository renders to exactly four good pages."""

from __future__ import annotations

import dataclasses
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from test_pdf import fonts, outline, pdftotext

from site_builder.corpus import load_corpus
from site_builder.pdf import PdfReport, render_all
from site_builder.settings import Settings, load_settings
from site_builder.templating import templates_for


@pytest.fixture(scope="module")
def examples(tmp_path_factory: pytest.TempPathFactory) -> tuple[Settings, Any, PdfReport]:
    """Render the example corpus once, with a fresh cache."""
    root = Path(__file__).resolve().parent.parent
    cache = tmp_path_factory.mktemp("cache")
    settings = dataclasses.replace(load_settings(root), cache_dir=str(cache))
    corpus, _ = load_corpus(settings.content_root, cwd=root)
    assert corpus.published, "the example corpus has no briefs"
    return settings, corpus, render_all(corpus, settings, None, jobs=2)


def test_every_example_brief_renders_to_exactly_four_pages(examples: Any) -> None:
    settings, corpus, report = examples
    assert [f.format() for f in report.findings] == []
    assert sorted(report.results) == sorted(b.slug for b in corpus.published)
    for info in report.results.values():
        assert len(PdfReader(info.path).pages) == info.pages == settings.pdf.pages == 4, info.slug


def test_example_pdfs_are_complete(examples: Any) -> None:
    settings, corpus, report = examples
    for brief in corpus.published:
        path = report.results[brief.slug].path
        reader = PdfReader(path)
        assert reader.metadata.title == brief.title
        assert reader.metadata.subject == brief.summary
        assert reader.metadata.author and reader.metadata["/Keywords"]
        assert reader.trailer["/Root"]["/Lang"] == brief.language
        tree = outline(reader)
        assert tree[0] == brief.title and isinstance(tree[1], list) and tree[1], brief.slug
        for name, embedded, subset in fonts(path):
            assert re.fullmatch(r"[A-Z]{6}\+Noto-(Sans|Serif)-Brief(-\w+)?", name), (brief.slug, name)
            assert (embedded, subset) == ("yes", "yes"), (brief.slug, name)
        text = " ".join(pdftotext(path).split())
        assert " ".join(brief.title.split()) in text and templates_for(settings.theme, brief.language).gettext("How to cite") in text
        subprocess.run(["qpdf", "--check", str(path)], check=True, capture_output=True)


def test_every_example_brief_fills_its_pages(examples: Any) -> None:
    """The example corpus shows the design: at least 3.5 of 4 pages filled, none over."""
    settings, corpus, report = examples
    fills = {b.slug: report.fills[b.slug] for b in corpus.published}
    short = {slug: fill for slug, fill in fills.items() if not 3.5 <= fill <= settings.pdf.pages}
    assert not short, short
