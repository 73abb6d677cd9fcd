"""``briefs new``: where it writes and how to preview, and a skeleton that shows the house
structure sized for the page budget (issue 16). Real commands in subprocesses, a real site
build with PDFs, PDFs read back with pypdf."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import CorpusWriter
from harden_helpers import briefs
from pypdf import PdfReader
from test_meter import PROSE

from site_builder.corpus import load_corpus
from site_builder.pdf.build import render_brief
from site_builder.pdf.meter import FIRST_PAGE_WORDS, LAST_PAGE_WORDS, WORDS_PER_PAGE, body_capacity
from site_builder.scaffold import figure_of, new_brief
from site_builder.settings import Settings, with_pdf
from site_builder.skeleton import ELEMENT_WORDS, SECTION_SHARES, section_budgets

MKDOCS = ("site_name: t\nsite_url: https://briefs.example.org/\nplugins:\n  - briefs:\n"
          "      search: false\n      bundles: false\n")
GUIDANCE = ("Guidance for the author", "words:", "The key-facts box", "A pull quote",
            "A figure: the image")


def _pdf_text(path: Path) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(path).pages).split())


def test_section_budgets_add_up_to_the_page_budget() -> None:
    for pages in (2, 4, 6):
        total = sum(section_budgets(pages)) + ELEMENT_WORDS
        assert body_capacity(pages) - 10 * len(SECTION_SHARES) <= total <= body_capacity(pages)
    assert body_capacity(4) == FIRST_PAGE_WORDS + 2 * WORDS_PER_PAGE + LAST_PAGE_WORDS


@pytest.mark.slow
def test_new_then_validate_then_build_with_pdfs(corpus: CorpusWriter, tmp_path: Path) -> None:
    (tmp_path / "mkdocs.yml").write_text(MKDOCS, encoding="utf-8")
    (tmp_path / "docs").mkdir()
    made = briefs(tmp_path, "new", "--country", "MOZ", "--theme", "older-persons", "--slug",
                  "moz-pensions", "Mozambique: pensions for all")
    assert made.returncode == 0, made.stderr
    path = tmp_path / "briefs" / "moz" / "moz-pensions.md"
    assert made.stdout.splitlines() == [
        "wrote briefs/moz/moz-pensions.md", f"  ({path.resolve()})",
        "  and its placeholder figure briefs/moz/img/moz-pensions-figure-1.svg",
        "preview:     briefs serve, then open http://127.0.0.1:8000/briefs/moz-pensions/",
        "page budget: briefs validate --pdf briefs/moz/moz-pensions.md"]
    text = path.read_text(encoding="utf-8")
    headings = re.findall(r"^## (.+)$", text, re.M)
    assert headings == ["Context", "What was achieved", "How it was done", "Lessons",
                        "What comes next"]
    assert '!!! key-facts "In numbers"' in text and "> — Name, role" in text
    assert "](img/moz-pensions-figure-1.svg)\n\n*What the figure shows, and its source.*" in text
    budgets = [int(n) for n in re.findall(r"<!-- About (\d+) words", text)]
    assert budgets == section_budgets(4) and "draft: true" in text

    # A draft with no errors; validate --pdf of its file: one meter line, then its finding.
    checked = briefs(tmp_path, "validate", "--pdf", "briefs/moz/moz-pensions.md")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    lines = checked.stdout.splitlines()
    assert re.fullmatch(r"briefs/moz/moz-pensions\.md: \d\.\d of 4 pages \(\d+ % of page 1\): "
                        r"room for about [\d,]+ more words; 1 warning \[pdf-underfill\]",
                        lines[0]), lines
    assert lines[-1] == "1 brief, 0 errors, 1 warning" and len(lines) == 3
    data = json.loads(briefs(tmp_path, "validate", "--pdf", "--format", "json",
                             "briefs/moz/moz-pensions.md").stdout)
    [row] = data["briefs"]
    assert row["slug"] == "moz-pensions" and row["draft"] and row["pages"] == 4
    assert data["pdf"]["briefs"] == [{"slug": "moz-pensions", "pages": 4, "fill": row["length"]}]

    # Published, the site build makes its PDF: the sections print, the guidance does not.
    path.write_text(text.replace("draft: true\n", ""), encoding="utf-8")
    built = briefs(tmp_path, "build")
    assert built.returncode == 0, built.stdout + built.stderr
    printed = _pdf_text(tmp_path / "site" / "pdf" / "moz-pensions.pdf")
    for words in [*headings, "Figure 1", "Name, role", "Write this section."]:
        assert words in printed, words
    assert "IN NUMBERS" in printed  # the key-facts box's title, in capitals
    for words in GUIDANCE:
        assert words not in printed, words
    page = (tmp_path / "site" / "briefs" / "moz-pensions" / "index.html").read_text("utf-8")
    assert "What comes next" in page and not any(words in page for words in GUIDANCE)


@pytest.mark.slow
@pytest.mark.parametrize(("language", "first", "last"),
                         [("fr", "Contexte", "Prochaines étapes"), ("es", "Contexto", "Próximos pasos"),
                          ("pt", "Contexto", "Próximos passos")])
def test_skeleton_in_the_brief_language_renders(corpus: CorpusWriter, tmp_path: Path,
                                                language: str, first: str, last: str) -> None:
    loaded, _ = load_corpus(corpus.root)
    path = new_brief(loaded, "Título", ["MOZ"], ["health"], language=language, slug="moz-x")
    text = path.read_text(encoding="utf-8")
    assert f"## {first}" in text and f"## {last}" in text and "Guidance" not in text
    assert figure_of(path).read_bytes().startswith(b"<svg")
    corpus2, findings = load_corpus(corpus.root)
    assert not [f for f in findings if f.severity.value == "error"], findings
    brief = corpus2.get("moz-x")
    assert brief is not None
    settings = with_pdf(Settings(project_dir=tmp_path), underfill="ignore")
    out = tmp_path / "x.pdf"
    out.write_bytes(render_brief(brief, corpus2, settings))
    printed = _pdf_text(out)
    assert first in printed and last in printed and "<!--" not in printed
    comment = re.search(r"<!-- (\S+ \S+ \S+)", text)
    assert comment and comment[1] not in printed


@pytest.mark.slow
def test_a_skeleton_written_to_its_budgets_fills_the_pages(corpus: CorpusWriter,
                                                           tmp_path: Path) -> None:
    """Each section given its word budget of real prose: within the budget, and near full."""
    loaded, _ = load_corpus(corpus.root)
    path = new_brief(loaded, "Mozambique: a new strategy to change the lives of older persons",
                     ["MOZ"], ["health"], slug="moz-full")
    budgets = iter(section_budgets(4))
    words = iter(PROSE * 2)

    def write(_: re.Match[str]) -> str:
        chunk = [next(words) for _ in range(next(budgets))]
        return "\n\n".join(" ".join(chunk[i:i + 80]) for i in range(0, len(chunk), 80))

    summary = " ".join(PROSE[:70])
    text = re.sub(r"^Write this section\.$", write, path.read_text(encoding="utf-8"), flags=re.M)
    path.write_text(re.sub(r'^summary: .*$', f'summary: "{summary}"', text, flags=re.M),
                    encoding="utf-8")
    from site_builder.pdf import render_all

    corpus2, _ = load_corpus(corpus.root)
    report = render_all(corpus2, Settings(project_dir=tmp_path), None, jobs=1, drafts=True)
    meter = report.meters["moz-full"]
    assert 3.5 <= meter.length <= 4.0, meter.describe()
