"""Hardening of the Markdown body: constructs that make Python-Markdown slow or recurse are
refused at their line, every validation render is bounded in time, heading ids are unique
(issue 11 #6 and #10)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import CorpusWriter
from harden_helpers import briefs, errors, only_error, where

from site_builder import body_limits, markdown_render

# -- 4. Markdown that hangs or recurses ------------------------------------------------

# corpus.brief writes five fields between the '---' lines: the body starts on line 8.

@pytest.mark.parametrize(
    ("body", "line", "col", "code", "words"),
    [
        ("## Context\n\n" + "[" * 20_000 + "\n", 10, 1, "too-complex",
         "20000 unmatched '[' or unclosed '](' in this paragraph; at most 50 allowed"),
        ("## Context\n\n" + "[a " * 5_000 + "\n", 10, 1, "too-complex", "5000 unmatched"),
        ("## Context\n\n" + "[" * 3_000 + "a" + "]" * 3_000 + "\n", 10, 21, "too-deep",
         "brackets '[' nested more than 20 levels deep"),
        ("Text\n\n" + "[a](" * 5_000 + "\n", 10, 4, "too-complex",
         "5000 unmatched '[' or unclosed '](' in this paragraph; at most 50"),
        ("Text\n\n" + "x [a\n" * 60, 10, 3, "too-complex", "60 unmatched '['"),
        ("Text\n\n" + "[^1] " * 30 + "\n\n" + "[[" * 30 + "x" + "]]" * 30, 12, 21,
         "too-deep", "brackets"),
        ("Text\n\n" + "*" * 2_000 + "deep" + "*" * 2_000 + "\n", 10, 1, "too-deep",
         "emphasis ('*' and '_') nested more than 20 levels deep"),
        ("Text\n\n" + "*a " * 2_000 + "b" + " c*" * 2_000 + "\n", 10, 61, "too-deep",
         "emphasis"),
        ("Text\n\n" + "_a " * 2_000 + "b" + " c_" * 2_000 + "\n", 10, 61, "too-deep",
         "emphasis"),
        ("Text\n\n" + "<div>\n" * 3_000 + "x\n" + "</div>\n" * 3_000, 30, 1, "too-deep",
         "HTML elements nested more than 20 levels deep"),
        ("Text\n\n" + "<div markdown>\n" * 3_000 + "x\n" + "</div>\n" * 3_000, 30, 1,
         "too-deep", "HTML elements"),
        ("Text\n\n" + "<span>" * 3_000 + "x\n", 10, 121, "too-deep", "HTML elements"),
        ("Text\n\n" + "<a \n\n" * 2_000, 10, 1, "too-complex",
         "2000 HTML tags without their closing '>'"),
        ("Text[^1]\n\n" + "x[^1] " * 2_000 + "\n\n[^1]: The note.\n", 10, 1196, "too-complex",
         "2001 footnote references; at most 200"),
        ("Text\n\n" + "".join(f"*[A{i}]: Abbreviation\n" for i in range(300)), 110, 1,
         "too-complex", "300 abbreviation definitions; at most 100"),
        ("Term\n" + ": definition\n" * 4_000, 509, 1, "too-complex", "4000 definition lines"),
        ("Text\n\n" + "- " * 600 + "x\n", 10, 1, "too-deep", "content nested"),
        ("Text\n\n" + "".join("    " * i + "- x\n\n" for i in range(600)), 30, 1, "too-deep",
         "content nested"),
        ("Text\n\n" + "".join("    " * i + "!!! note\n\n" for i in range(600)), 30, 1,
         "too-deep", "content nested"),
        ("## Context\n\n" + "#\n" * 20_000, 11, 1, "duplicate-heading-id", "heading without text"),
    ],
    ids=["brackets", "bracket-words", "nested-brackets", "unclosed-links", "unmatched-over-lines", "nested-after-refs", "star-run",
         "nested-stars", "nested-underscores", "divs", "divs-markdown", "spans", "open-tags",
         "footnote-refs", "abbreviations", "definitions", "chained-list-markers",
         "indented-lists", "admonitions", "empty-headings"],
)
def test_hostile_markdown_is_refused_at_its_line(corpus: CorpusWriter, body: str, line: int,
                                                 col: int, code: str, words: str) -> None:
    corpus.brief("moz/moz-x.md", body=body)
    found = only_error(corpus)
    assert where(found) == ("briefs/moz/moz-x.md", line, col, code)
    assert words in found.message


def test_ordinary_markup_is_not_refused(corpus: CorpusWriter) -> None:
    prose = ("Some **bold** and *italic* text with [a link](https://example.org), a "
             "footnote[^1], `code_with_underscores`, *nested **bold** inside* and "
             "snake_case_words. ")
    table = "| a | b |\n|---|---|\n" + "| [x] | *y* |\n" * 30
    code = "```python\n" + "def f(*args, **kwargs): return [[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]\n" * 30 + "```\n"
    corpus.brief("moz/moz-x.md", body=f"## Context\n\n{prose * 20}\n\n{table}\n{code}\n"
                 "<div class=\"note\"><div><p>Boxed</p></div></div>\n\n[^1]: A note.\n")
    assert errors(corpus) == []


def test_the_render_time_limit_fails_the_brief(corpus: CorpusWriter,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    # Lift the pre-checks so that the slow body reaches the bounded render.
    monkeypatch.setattr(body_limits, "MAX_NESTING", 10**9)
    monkeypatch.setattr(body_limits, "MAX_UNMATCHED", 10**9)
    monkeypatch.setattr(markdown_render, "RENDER_TIMEOUT", 0.5)
    corpus.brief("moz/moz-x.md", body="Text\n\nFine.\n\n" + "[" * 20_000 + "\n")
    found = only_error(corpus)
    assert where(found) == ("briefs/moz/moz-x.md", 12, 1, "too-complex")
    assert found.message.startswith("this body takes more than 0.5 s to render")


def test_the_bounded_render_reports_recursion_not_a_traceback(
        corpus: CorpusWriter, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(body_limits, "MAX_NESTING", 10**9)
    corpus.brief("moz/moz-x.md", body="Text\n\n" + "*a " * 2_000 + "b" + " c*" * 2_000 + "\n")
    found = only_error(corpus)
    assert where(found) == ("briefs/moz/moz-x.md", 10, 1, "too-complex")
    assert "nested too deeply to render" in found.message


def test_render_markdown_bounded() -> None:
    render_html = markdown_render.render_markdown_bounded("## Hi\n\n*x*\n")
    assert '<h2 id="hi">Hi</h2>' in render_html and "<em>x</em>" in render_html
    with pytest.raises(markdown_render.MarkdownTooComplex) as info:
        markdown_render.render_markdown_bounded("[" * 50_000, timeout=0.5)
    assert info.value.reason == "timeout"


def test_validate_cli_does_not_hang_on_a_long_bracket_line(corpus: CorpusWriter,
                                                           tmp_path: Path) -> None:
    corpus.brief("moz/moz-x.md", body="Text\n\n" + "[" * 200_000 + "\n")
    result = briefs(tmp_path, "validate", "briefs")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "briefs/moz/moz-x.md:10:1: error: 200000 unmatched '['" in result.stdout


# -- duplicate heading ids -------------------------------------------------------

@pytest.mark.parametrize(
    ("body", "line", "words"),
    [
        ("## Context\n\nA.\n\n## Context\n\nB.\n", 12, "heading id 'context' is already used "
         "by the heading on line 8"),
        ("## Context\n\nA.\n\n### *Context*\n", 12, "'context'"),
        ("## Results {#out}\n\nA.\n\n## Outcome {#out}\n", 12, "heading id 'out'"),
        ("## Context\n\nA.\n\n## Other {#context}\n", 12, "heading id 'context'"),
        ("## Context!\n\nA.\n\n## context\n", 12, "heading id 'context'"),
        ("## Next steps\n\nA.\n\nNext steps\n----------\n", 12, "'next-steps'"),
        ("Next steps\n==========\n\nA.\n\n## Next [steps](#x)\n", 13, "'next-steps'"),
    ],
)
def test_duplicate_heading_ids_are_errors_at_the_second(corpus: CorpusWriter, body: str,
                                                        line: int, words: str) -> None:
    corpus.brief("moz/moz-x.md", body=body)
    found = only_error(corpus)
    assert where(found) == ("briefs/moz/moz-x.md", line, 1, "duplicate-heading-id")
    assert words in found.message


def test_distinct_headings_and_headings_in_code_pass(corpus: CorpusWriter) -> None:
    corpus.brief("moz/moz-x.md", body="## Context\n\n## Context 2\n\n## Other {#context-3}\n\n"
                 "```\n## Context\n```\n\n    ## Context\n")
    assert errors(corpus) == []


@pytest.mark.parametrize("text", ["Context", "What was achieved", "Café & Co. (2016)",
                                  "  spaced   out  ", "snake_case-and—dash", "Việt Nam", "", "**"])
def test_heading_slugs_match_python_markdown(text: str) -> None:
    from markdown.extensions.toc import slugify as toc_slugify

    from site_builder.headings import slugify

    assert slugify(text, "-") == toc_slugify(text, "-")
