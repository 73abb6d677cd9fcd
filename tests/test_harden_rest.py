"""Issue 11, the holes left after the audit: mkdocs.yml's Markdown extensions, the files of
``docs/``, tables too large to print, and the verified cache of the body check. Each test
reproduces the attack (it passed ``briefs validate`` before) and asserts the clear error or
that the result cannot be stale."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import PROJECT_ROOT, CorpusWriter
from fixtures_site import make_project
from harden_helpers import HANG_GUARD, briefs
from test_rendered_refs import BODY_LINE, png

from site_builder import check_cache, markdown_render, rendered_checks
from site_builder.build import build_site
from site_builder.corpus import load_corpus
from site_builder.findings import BriefsError, Finding, Severity, ValidationFailed
from site_builder.settings import load_settings

SECRET = "TOP-SECRET-LINE-42"


def _project(tmp_path: Path) -> tuple[Path, CorpusWriter]:
    project = make_project(tmp_path / "project")
    writer = CorpusWriter(project / "briefs")
    writer.brief("moz/moz-a.md", title="Brief A")
    return project, writer


def _set_extensions(project: Path, block: str) -> None:
    config = project / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    start = text.index("markdown_extensions:")
    end = text.index("\n\n", start)
    config.write_text(text[:start] + block.rstrip("\n") + text[end:], encoding="utf-8")


def _line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text().split("\n"), 1) if needle in line)


# -- 1. mkdocs.yml's markdown_extensions render briefs as validation does -----------------

VALIDATOR = ("markdown_extensions:\n  - abbr\n  - attr_list\n  - def_list\n  - footnotes\n"
             "  - md_in_html\n  - tables\n  - toc:\n      permalink: false\n  - admonition\n")
BAD_EXTENSIONS = {
    "snippets-pastes-files": (VALIDATOR + "  - pymdownx.snippets:\n      base_path: [/]\n",
                              "pymdownx.snippets", "pastes files from disk"),
    "arithmatex": (VALIDATOR + "  - pymdownx.arithmatex\n", "pymdownx.arithmatex",
                   "script elements"),
    "an-option-changed": (VALIDATOR.replace("permalink: false", "permalink: true"), "toc:",
                          "option permalink differs"),
    "an-unknown-option": (VALIDATOR.replace("  - abbr\n", "  - abbr:\n      bogus: 1\n"),
                          "abbr:", "unknown option"),
    "fenced-code-listed": (VALIDATOR + "  - fenced_code\n", "fenced_code",
                           "not an extension briefs are validated with"),
    "slugify-from-python": (VALIDATOR.replace(
        "permalink: false", "permalink: false\n      slugify: !!python/name:os.getcwd"),
        "toc:", "option slugify differs"),
    "one-left-out": (VALIDATOR.replace("  - footnotes\n", ""), "markdown_extensions:",
                     "lacks footnotes"),
}


@pytest.mark.parametrize("variant", sorted(BAD_EXTENSIONS))
def test_markdown_extensions_the_validator_does_not_use_are_refused_at_their_line(
        tmp_path: Path, variant: str) -> None:
    block, needle, words = BAD_EXTENSIONS[variant]
    project, _ = _project(tmp_path)
    _set_extensions(project, block)
    done = briefs(project, "validate")
    assert done.returncode == 1, done.stdout
    line = _line_of(project / "mkdocs.yml", needle)
    errors = [e for e in done.stdout.splitlines() if e.startswith("mkdocs.yml:")]
    assert len(errors) == 1, done.stdout
    assert errors[0].startswith(f"mkdocs.yml:{line}:") or (
        variant == "one-left-out" and errors[0].startswith(f"mkdocs.yml:{line + 1}:")), errors
    assert words in errors[0] and errors[0].endswith("[markdown-extension]"), errors[0]


def test_the_same_extensions_spelt_otherwise_pass(tmp_path: Path) -> None:
    project, _ = _project(tmp_path)
    _set_extensions(project, VALIDATOR.replace("  - abbr\n", "  - markdown.extensions.abbr\n")
                    .replace("  - toc:\n      permalink: false\n",
                             "  - markdown.extensions.toc:TocExtension\n"))
    done = briefs(project, "validate")
    assert done.returncode == 0, done.stdout


def test_snippets_never_paste_a_file_into_the_site(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """The attack: a pull request adds pymdownx.snippets and a brief line that pastes a file
    from disk. ``briefs build`` refuses before MkDocs loads it; plain ``mkdocs build`` fails
    in the plugin's on_config, before any page is rendered."""
    project, writer = _project(tmp_path)
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET + "\n")
    writer.brief("moz/moz-b.md", body=f'## Context\n\n--8<-- "{secret}"\n')
    monkeypatch.chdir(project)
    _set_extensions(project, VALIDATOR + "  - pymdownx.snippets:\n      base_path: [/]\n")
    with pytest.raises(ValidationFailed) as failed:
        build_site(load_settings(project), pdf=False)
    assert any(f.path == "mkdocs.yml" and "pymdownx.snippets" in f.message
               for f in failed.value.findings)
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q"], cwd=project,
                          capture_output=True, text=True, timeout=HANG_GUARD, check=False)
    assert done.returncode != 0
    assert "mkdocs.yml:" in done.stderr and "pymdownx.snippets" in done.stderr, done.stderr
    site = project / "site"
    assert not site.exists() or SECRET not in "".join(
        p.read_text(errors="replace") for p in site.rglob("*.html"))


def test_fences_render_on_the_web_page_as_validation_renders_them(tmp_path: Path) -> None:
    """MkDocs adds fenced_code to every site; validation and the PDF do not use it, so the
    plugin takes it out: a fence is what validation saw (a code span), not a code block."""
    project, writer = _project(tmp_path)
    body = "## Context\n\n```\n*shown as written*\n```\n"
    writer.brief("moz/moz-b.md", body=body)
    site = build_site(load_settings(project), pdf=False).site
    page = (site / "briefs" / "moz-b" / "index.html").read_text()
    validated = markdown_render.render_markdown(body.split("\n\n", 1)[1])
    assert validated == "<p><code>*shown as written*</code></p>"
    assert validated in page.replace("<code>\n", "<code>").replace("\n</code>", "</code>")
    assert "<pre><code>*shown" not in page


# -- 2. what docs/ publishes is checked like a brief's files ------------------------------

DOCS_ATTACKS: dict[str, tuple[str, bytes, str, str]] = {
    # name: (file, content, code, words of the message)
    "web-page": ("docs/evil.html", b"<script>alert(1)</script>", "runnable-file",
                 "a browser would run"),
    "script-file": ("docs/js/x.js", b"alert(1)", "runnable-file", "a browser would run"),
    "svg-with-script": ("docs/img/x.svg", b'<svg xmlns="http://www.w3.org/2000/svg">'
                        b"<script>alert(1)</script></svg>", "unsafe-svg", "<script>"),
    "html-named-png": ("docs/img/p.png", b"<html><script>alert(1)</script></html>",
                       "image-mislabelled", ""),
    "pdf-that-is-not": ("docs/annex.pdf", b"<html></html>", "attachment-type", "named .pdf"),
    "remote-stylesheet": ("docs/css/s.css", b"body{background:u\\72l(https://evil.example/x)}",
                          "remote-image", "outside the site"),
    "unknown-type": ("docs/data.bin", b"\x00\x01", "attachment-type", "cannot be published"),
    "favicon-that-is-not": ("docs/favicon.ico", b"<html><script>alert(1)</script>",
                            "attachment-type", "not a ico file"),
    "font-that-is-not": ("docs/fonts/f.woff2", b"<svg onload=alert(1)>", "attachment-type",
                         "not a woff2 file"),
    "text-not-utf8": ("docs/robots.txt", "\u00e9 User-agent: *".encode("latin-1"), "not-utf8",
                      "save it as UTF-8"),
}


def test_a_sites_own_files_in_docs_are_published(tmp_path: Path) -> None:
    """robots.txt, a favicon and a web font for extra_css are a site's files, not attacks."""
    from PIL import Image

    project, _ = _project(tmp_path)
    (project / "docs" / "robots.txt").write_text("User-agent: *\nAllow: /\n", encoding="utf-8")
    Image.new("RGB", (16, 16), "red").save(project / "docs" / "favicon.ico")
    (project / "docs" / "fonts").mkdir()
    font = next((PROJECT_ROOT / "site_builder" / "theme" / "assets" / "fonts").glob("*.woff2"))
    (project / "docs" / "fonts" / font.name).write_bytes(font.read_bytes())
    done = briefs(project, "validate")
    assert done.returncode == 0, done.stdout


@pytest.mark.parametrize("variant", sorted(DOCS_ATTACKS))
def test_files_in_docs_are_checked_like_a_briefs_files(tmp_path: Path, variant: str) -> None:
    rel, data, code, words = DOCS_ATTACKS[variant]
    project, _ = _project(tmp_path)
    (project / rel).parent.mkdir(parents=True, exist_ok=True)
    (project / rel).write_bytes(data)
    done = briefs(project, "validate")
    assert done.returncode == 1, done.stdout
    found = [line for line in done.stdout.splitlines() if line.startswith(f"{rel}:1:1: error:")]
    assert len(found) == 1 and found[0].endswith(f"[{code}]") and words in found[0], done.stdout


DOCS_PAGE_ATTACKS = {
    "attribute-list-src": ('![x](img/logo.svg){: src="http://evil.example/p.png" }',
                           "remote-image"),
    "handler": ('<div onclick="alert(1)">hi</div>', "unsafe-html"),
    "javascript-link": ("[click](jav&#x61;script:alert(1))", "unsafe-html"),
    "iframe": ('<iframe src="https://evil.example/"></iframe>', "unsafe-html"),
    "style-url": ('<p style="background:u\\72l(//evil.example/x)">x</p>', "unsafe-html"),
    "outside-docs": ("![x](../briefs/moz/img/a.png)", "image-outside"),
    "brackets-that-stall": ("[" * 20_000, "too-complex"),
}


@pytest.mark.parametrize("variant", sorted(DOCS_PAGE_ATTACKS))
def test_docs_pages_rendered_html_is_checked_at_its_line(tmp_path: Path, variant: str) -> None:
    markup, code = DOCS_PAGE_ATTACKS[variant]
    project, writer = _project(tmp_path)
    writer.write("moz/img/a.png", png())
    (project / "docs" / "img").mkdir(exist_ok=True)
    (project / "docs" / "img" / "logo.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>')
    about = project / "docs" / "about.md"
    about.write_text(about.read_text() + "\nMore text.\n\n" + markup + "\n")
    line = len(about.read_text().split("\n")) - 1
    done = briefs(project, "validate")
    assert done.returncode == 1, done.stdout
    found = [x for x in done.stdout.splitlines() if x.startswith("docs/")]
    assert found and all(x.startswith(f"docs/about.md:{line}:") for x in found), done.stdout
    assert any(x.endswith(f"[{code}]") for x in found), found


def test_docs_problems_fail_briefs_build_and_mkdocs_build(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    project, _ = _project(tmp_path)
    monkeypatch.chdir(project)
    build_site(load_settings(project), pdf=False)
    before = (project / "site" / "index.html").read_bytes()
    (project / "docs" / "annex.html").write_text("<script>alert(1)</script>")
    with pytest.raises(ValidationFailed) as failed:
        build_site(load_settings(project), pdf=False)
    assert [(f.path, f.code) for f in failed.value.findings] == [("docs/annex.html",
                                                                  "runnable-file")]
    assert (project / "site" / "index.html").read_bytes() == before
    assert not (project / "site" / "annex.html").exists()
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-d", "plain-site"],
                          cwd=project, capture_output=True, text=True, timeout=HANG_GUARD,
                          check=False)
    assert done.returncode != 0 and "docs/annex.html" in done.stderr, done.stderr
    assert not (project / "plain-site" / "annex.html").exists()


def test_what_mkdocs_leaves_out_of_docs_is_not_checked(tmp_path: Path) -> None:
    project, _ = _project(tmp_path)
    (project / "docs" / ".draft.html").write_text("<script></script>")
    (project / "docs" / "templates").mkdir()
    (project / "docs" / "templates" / "x.html").write_text("<script></script>")
    (project / "docs" / "private").mkdir()
    (project / "docs" / "private" / "x.html").write_text("<script></script>")
    config = project / "mkdocs.yml"
    config.write_text(config.read_text() + "\nexclude_docs: |\n  /private/\n")
    done = briefs(project, "validate")
    assert done.returncode == 0, done.stdout


def test_a_docs_link_pointing_out_of_docs_is_refused(tmp_path: Path) -> None:
    project, _ = _project(tmp_path)
    secret = tmp_path / "secret.png"
    secret.write_bytes(png())
    os.symlink(secret, project / "docs" / "leak.png")
    done = briefs(project, "validate")
    assert "docs/leak.png:1:1: error:" in done.stdout and "[link-outside]" in done.stdout


def test_a_fifo_or_a_latin1_page_in_docs_is_a_finding_not_a_hang(tmp_path: Path) -> None:
    project, _ = _project(tmp_path)
    os.mkfifo(project / "docs" / "pipe.md")
    (project / "docs" / "old.md").write_bytes("# Caf\xe9\n".encode("latin-1"))
    done = briefs(project, "validate")
    assert done.returncode == 1, done.stdout
    assert "docs/old.md:1:6: error: file is not UTF-8" in done.stdout
    assert "docs/pipe.md:1:1: warning:" in done.stdout and "[special-file]" in done.stdout


# -- 3. a table too large to print fails validation, not the PDF after 120 s -------------

def _table(rows: int, columns: int) -> str:
    head = "| " + " | ".join(f"h{i}" for i in range(columns)) + " |\n"
    rule = "|" + "---|" * columns + "\n"
    return head + rule + ("| " + " | ".join("1.5" for _ in range(columns)) + " |\n") * rows


TABLES = {
    "30000-rows": ("Intro.\n\n" + _table(30_000, 2), 3, "30001 rows"),
    "rows-without-pipes": ("Intro.\n\n" + _table(1, 2) + "x\n" * 400, 3, "402 rows"),
    "wide": ("Intro.\n\n" + _table(2, 60), 3, "60 columns"),
    "cells": ("Intro.\n\n" + _table(200, 20), 3, "4020 cells"),
    "many-tables": ("Intro.\n\n" + (_table(150, 10) + "\n") * 3, 3 + 2 * 153, "4530 table cells"),
    "html-rows": ("Intro.\n\n<table>\n" + "<tr><td>1</td><td>2</td></tr>\n" * 400 + "</table>\n",
                  3, "400 rows in this HTML table"),
}


@pytest.mark.parametrize("variant", sorted(TABLES))
def test_a_table_no_brief_can_print_is_an_error_at_its_line(corpus: CorpusWriter,
                                                             variant: str) -> None:
    body, index, words = TABLES[variant]
    corpus.brief("moz/moz-a.md", body=body)
    _, findings = load_corpus(corpus.root)
    errors = [f for f in findings if f.severity is Severity.ERROR]
    assert [(f.line, f.code) for f in errors] == [(BODY_LINE + index - 1, "table-too-large")], \
        [f.format() for f in errors]
    assert words in errors[0].message and "CSV" in errors[0].message


def test_tables_a_four_page_brief_holds_pass(corpus: CorpusWriter) -> None:
    corpus.brief("moz/moz-a.md", body="Intro.\n\n" + _table(200, 10) + "\n" + _table(50, 4))
    assert [f for f in load_corpus(corpus.root)[1] if f.severity is Severity.ERROR] == []


def test_a_huge_table_fails_the_build_at_validation(tmp_path: Path) -> None:
    project, writer = _project(tmp_path)
    writer.brief("moz/moz-b.md", body="Intro.\n\n" + _table(30_000, 2))
    with pytest.raises(ValidationFailed) as failed:
        build_site(load_settings(project), pdf=True)
    assert [f.code for f in failed.value.findings] == ["table-too-large"]


# -- 4. the body check's verified cache never hides a finding ----------------------------

@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every body the rendered check renders (a spy: the real render runs)."""
    seen: list[str] = []
    real = rendered_checks.render_for_check

    def spy(body: str) -> str:
        seen.append(body)
        return real(body)

    monkeypatch.setattr(rendered_checks, "render_for_check", spy)
    return seen


def _check(corpus: CorpusWriter) -> list[Finding]:
    return load_corpus(corpus.root, cache_dir=corpus.root.parent / ".cache" / "checks")[1]


BODY = "## Context\n\n![A chart](img/a.png)\n\nSee [the law](https://example.org/law).\n"


def test_an_unchanged_brief_is_not_rendered_again(corpus: CorpusWriter,
                                                  renders: list[str]) -> None:
    corpus.write("moz/img/a.png", png())
    corpus.brief("moz/moz-a.md", body=BODY + '\n<b title="x">bold</b> ![x](img/missing.png)\n')
    first = _check(corpus)
    assert len(renders) == 1 and [f.code for f in first if f.severity is Severity.ERROR] == \
        ["missing-image"]
    assert _check(corpus) == first
    assert len(renders) == 1, "the second run rendered the body again"


def test_a_referenced_image_whose_type_changes_is_checked_again(corpus: CorpusWriter,
                                                                renders: list[str]) -> None:
    image = corpus.write("moz/img/a.png", png())
    corpus.brief("moz/moz-a.md", body=BODY)
    assert _check(corpus) == []
    image.write_bytes(b"<html><script>alert(1)</script></html>")  # same name, now a web page
    found = _check(corpus)
    assert len(renders) == 2
    assert [(f.line, f.code) for f in found] == [(BODY_LINE + 2, "image-mislabelled")]


def test_a_file_that_appears_or_a_link_retargeted_is_checked_again(
        corpus: CorpusWriter, renders: list[str], tmp_path: Path) -> None:
    corpus.brief("moz/moz-a.md", body="## Context\n\n![A chart](img/a.png)\n")
    assert [f.code for f in _check(corpus)] == ["missing-image"]
    corpus.write("moz/img/a.png", png())
    assert _check(corpus) == []
    outside = tmp_path / "elsewhere.png"
    outside.write_bytes(png())
    (corpus.root / "moz" / "img" / "a.png").unlink()
    os.symlink(outside, corpus.root / "moz" / "img" / "a.png")
    assert "image-outside" in [f.code for f in _check(corpus)]
    assert len(renders) == 3


def test_a_changed_body_or_checker_config_is_checked_again(
        corpus: CorpusWriter, renders: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    corpus.write("moz/img/a.png", png())
    path = corpus.brief("moz/moz-a.md", body="## Context\n\n![A chart](img/a.png)\n")
    assert _check(corpus) == []
    path.write_text(path.read_text().replace("img/a.png", "http://evil.example/a.png"))
    assert "remote-image" in [f.code for f in _check(corpus)]
    assert len(renders) == 2
    _check(corpus)
    assert len(renders) == 2
    monkeypatch.setattr(markdown_render, "MARKDOWN_EXTENSION_CONFIGS",
                        {"toc": {"permalink": True}})
    check_cache.checker_version.cache_clear()
    try:
        _check(corpus)
    finally:
        check_cache.checker_version.cache_clear()
    assert len(renders) == 3, "a changed extension config reused the old result"


def test_a_damaged_entry_is_checked_again_with_a_warning(
        corpus: CorpusWriter, renders: list[str], caplog: pytest.LogCaptureFixture) -> None:
    corpus.brief("moz/moz-a.md", body="## Context\n\n![A chart](http://evil.example/a.png)\n")
    first = _check(corpus)
    entries = list((corpus.root.parent / ".cache" / "checks").glob("*.json"))
    assert len(entries) == 1
    entries[0].write_text(entries[0].read_text().replace("remote-image", "fine"))
    with caplog.at_level(logging.WARNING, logger="site_builder.cache"):
        again = _check(corpus)
    assert again == first and len(renders) == 2
    assert any("moz-a.md" in r.getMessage() and "damaged" in r.getMessage()
               for r in caplog.records)


def test_briefs_validate_uses_the_projects_cache(tmp_path: Path) -> None:
    project, writer = _project(tmp_path)
    writer.brief("moz/moz-b.md", body="## Context\n\n![A chart](http://evil.example/a.png)\n")
    done = briefs(project, "validate")
    assert done.returncode == 1 and "[remote-image]" in done.stdout, done.stdout + done.stderr
    assert list((project / ".cache" / "briefs" / "checks").glob("*.json"))
    assert briefs(project, "validate").stdout == done.stdout


def test_briefs_build_fails_on_bad_docs_before_touching_site(tmp_path: Path) -> None:
    project, _ = _project(tmp_path)
    (project / "docs" / "x.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" '
                                            'onload="alert(1)"/>')
    with pytest.raises(BriefsError):
        build_site(load_settings(project), pdf=False)
    assert not (project / "site").exists()
