"""Control characters in values: an error at their line and column wherever they stand in
the front matter, escaped whenever a message is printed (issue 10 #6, issue 11 #10)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import CorpusWriter
from harden_helpers import briefs, errors, only_error, where

from site_builder.findings import Finding

# -- 1. control characters ------------------------------------------------------

@pytest.mark.parametrize(
    ("fields", "line", "col", "name"),
    [
        # YAML escapes in double quotes (the value holds the character, the file does not)
        ({"title": '"Pensions\\x7f"'}, 2, 17, "control character U+007F in 'title'"),
        ({"authors": '["Ana", "Bo\\a Writer"]'}, 7, 21, "control character U+0007 in 'authors'"),
        ({"summary": '"Pensions \\u202e for all"'}, 6, 20,
         "bidirectional control character U+202E in 'summary'"),
        ({"keywords": '["a\\tb"]'}, 7, 14, "control character U+0009 in 'keywords'"),
        ({"title": '"x\\uFFFE"'}, 2, 10, "noncharacter U+FFFE in 'title'"),
        ({"title": '"x\\U0010FFFF"'}, 2, 10, "noncharacter U+10FFFF in 'title'"),
        ({"series": '"a\\x85b"'}, 7, 11, "control character U+0085 in 'series'"),
        ({"title": '"a\\Lb"'}, 2, 10, "line break U+2028 in 'title'"),
        # written literally in the file
        ({"title": '"Pensions\x7f"'}, 2, 17, "control character U+007F in 'title'"),
        ({"authors": "[Ana, Bo\x07 Writer]"}, 7, 18, "control character U+0007 in 'authors'"),
        ({"summary": "A summary \u202e reversed."}, 6, 20,
         "bidirectional control character U+202E in 'summary'"),
        ({"title": "Isolate \u2066here"}, 2, 16, "bidirectional control character U+2066"),
        ({"title": '"C1 \x9b here"'}, 2, 12, "control character U+009B in 'title'"),
        ({"title": "Split\u2029here"}, 2, 13, "line break U+2029 in 'title'"),
    ],
)
def test_control_characters_are_errors_at_their_line_and_column(
        corpus: CorpusWriter, fields: dict[str, str], line: int, col: int, name: str) -> None:
    corpus.brief("moz/moz-x.md", **fields)
    found = only_error(corpus)
    assert where(found) == ("briefs/moz/moz-x.md", line, col, "control-character")
    assert name in found.message and "remove it" in found.message


def test_separators_do_not_shift_later_lines(corpus: CorpusWriter) -> None:
    # YAML counts U+2028/U+2029 as line breaks: left in, every later line would be off.
    corpus.brief("moz/moz-x.md", title="A\u2028B\u2029C", date="'2016-13'")
    assert sorted(where(f) for f in errors(corpus)) == [
        ("briefs/moz/moz-x.md", 2, 9, "control-character"),
        ("briefs/moz/moz-x.md", 2, 11, "control-character"),
        ("briefs/moz/moz-x.md", 5, 7, "bad-date")]


def test_control_characters_in_nested_values_and_keys(corpus: CorpusWriter) -> None:
    corpus.write("moz/moz-x.md", '---\ntitle: A\ncountries: [MOZ]\nthemes: [health]\n'
                 'date: 2016-01-01\nsummary: S.\n"bad\\x1bkey": 1\nextra:\n'
                 '  nested: ["\\x00"]\n---\nBody.\n', dedent=False)
    found = {(f.line, f.col, f.code) for f in errors(corpus)}
    assert (7, 5, "control-character") in found  # the key
    assert (9, 13, "control-character") in found  # the item of a list in a mapping


def test_line_breaks_only_inside_the_summary(corpus: CorpusWriter) -> None:
    corpus.write("moz/moz-x.md", "---\ntitle: |\n  Two\n  lines\ncountries: [MOZ]\n"
                 "themes: [health]\ndate: 2016-01-01\nsummary: |\n  One paragraph\n"
                 "  on two lines.\nauthors: >\n  Folded on\n  one line\n---\nBody.\n",
                 dedent=False)
    found = only_error(corpus)
    assert where(found) == ("briefs/moz/moz-x.md", 2, 8, "control-character")
    assert found.message == "line break in 'title': write it on one line"


def test_marks_and_joiners_are_allowed_in_values(corpus: CorpusWriter) -> None:
    corpus.brief("moz/moz-x.md", title="\"Left\u200eright\u200f mark\"",
                 summary="\"Text\u200dwith a joiner.\"")
    assert errors(corpus) == []


def test_findings_escape_control_characters_for_terminals() -> None:
    finding = Finding("briefs/a\x1b[2J.md", 1, 2, "unknown field 'x\u202ey\x07'\nnext", "c")
    assert finding.format() == ("briefs/a\\x1b[2J.md:1:2: error: unknown field "
                                "'x\\u202ey\\x07'\\x0anext [c]")


def test_validate_prints_hostile_field_names_escaped(corpus: CorpusWriter,
                                                     tmp_path: Path) -> None:
    corpus.brief("moz/moz-x.md", themes='["health\\u202e\\x1b[2J"]')
    result = briefs(tmp_path, "validate", "briefs")
    assert result.returncode == 1
    assert "unknown theme 'health\\u202e\\x1b[2J'" in result.stdout
    assert "\u202e" not in result.stdout and "\x1b" not in result.stdout
