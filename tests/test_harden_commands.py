"""Hardening of the commands: ``briefs new`` options and ``briefs bundle`` output paths and
bundle-file cover fields (issue 11 #7 and #10)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import yaml
from conftest import CorpusWriter
from harden_helpers import briefs, errors

# -- briefs new ----------------------------------------------------------------------

def run_new(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "mkdocs.yml").write_text("site_name: t\nplugins:\n  - briefs\n", encoding="utf-8")
    return briefs(tmp_path, "new", "--country", "MOZ", "--theme", "health", *args)


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--slug", "../../x", "T"], "bad --slug '../../x': a slug is lowercase letters"),
        (["--slug", "/tmp/x", "T"], "bad --slug '/tmp/x'"),
        (["--slug", "a" * 65, "T"], "at most 64 characters"),
        (["--language", "en\ndraft: false\nx: 1", "T"], "unknown --language 'en\\x0adraft"),
        (["--language", "english", "T"], "use a two-letter ISO 639-1 code"),
        (["Title\x07"], "the title holds a control character U+0007"),
        (["Title \u202e"], "bidirectional control character U+202E"),
    ],
)
def test_new_refuses_bad_options(corpus: CorpusWriter, tmp_path: Path, args: list[str],
                                 words: str) -> None:
    result = run_new(tmp_path, *args)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert words in result.stderr
    assert sorted(p.name for p in tmp_path.rglob("*.md")) == []
    assert not (tmp_path.parent / "x.md").exists()


def test_new_stays_inside_the_content_folder(corpus: CorpusWriter, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (corpus.root / "moz").symlink_to(outside)  # the country folder is a link out
    result = run_new(tmp_path, "--slug", "moz-x", "Title")
    assert result.returncode == 1 and "outside the content folder" in result.stderr
    assert list(outside.iterdir()) == []


def test_new_writes_a_valid_brief(corpus: CorpusWriter, tmp_path: Path) -> None:
    result = run_new(tmp_path, "--language", "pt", "--slug", "moz-x", "Título")
    assert result.returncode == 0, result.stderr
    assert errors(corpus) == []


@pytest.mark.parametrize("title", [
    'Côte d\'Ivoire & <b>"bold"</b> --> <!-- # not a comment',
    "key: value # {braces} [list] *star* | pipe > more",
    "'quoted' \\ back\\slash \"\" ---",
])
def test_new_writes_any_title_into_the_front_matter_as_it_is(corpus: CorpusWriter, tmp_path: Path,
                                                              title: str) -> None:
    """The skeleton is a Markdown template: the title is quoted as YAML, not HTML-escaped."""
    result = run_new(tmp_path, "--slug", "moz-x", "--language", "fr", title)
    assert result.returncode == 0, result.stderr
    text = (corpus.root / "moz" / "moz-x.md").read_text(encoding="utf-8")
    front = yaml.safe_load(text.split("---\n")[1])
    assert front["title"] == title and front["language"] == "fr" and front["draft"] is True
    assert "&amp;" not in text and "&#" not in text and "&lt;" not in text
    assert errors(corpus) == []


# -- briefs bundle -----------------------------------------------------------

def run_bundle(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "mkdocs.yml").write_text("site_name: t\nplugins:\n  - briefs\n", encoding="utf-8")
    return briefs(tmp_path, "bundle", *args)


@pytest.mark.parametrize(
    ("output", "words"),
    [
        ("briefs/moz/moz-a.md", "it is inside the content folder briefs/"),
        ("briefs/new.pdf", "it is inside the content folder"),
        ("briefs/../briefs/moz/x.pdf", "it is inside the content folder"),
        ("event.yml", "that is the input file event.yml"),
        ("mkdocs.yml", "that is the input file"),
        ("link.pdf", "it is inside the content folder"),  # a symbolic link to the brief
        ("hard.pdf", "that is the input file"),  # a hard link to the brief
    ],
)
def test_bundle_refuses_to_overwrite_inputs(corpus: CorpusWriter, tmp_path: Path, output: str,
                                            words: str) -> None:
    brief = corpus.brief("moz/moz-a.md")
    before = brief.read_bytes()
    (tmp_path / "event.yml").write_text("title: Event\nselect:\n  themes: [older-persons]\n",
                                        encoding="utf-8")
    (tmp_path / "link.pdf").symlink_to(brief)
    os.link(brief, tmp_path / "hard.pdf")
    result = run_bundle(tmp_path, "event.yml", "-o", output)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"error: refusing to write the pack to {output}: {words}" in result.stderr
    assert brief.read_bytes() == before
    assert (tmp_path / "event.yml").read_text(encoding="utf-8").startswith("title: Event")


def test_bundle_file_cover_fields_must_be_text(corpus: CorpusWriter, tmp_path: Path) -> None:
    corpus.brief("moz/moz-a.md")
    (tmp_path / "event.yml").write_text("title: Event\nsubtitle: [a, b]\nselect:\n"
                                        "  themes: [older-persons]\n", encoding="utf-8")
    result = run_bundle(tmp_path, "event.yml", "-o", "out.pdf")
    assert result.returncode == 1
    assert "error: event.yml:2:11: 'subtitle' must be text, not a list" in result.stderr


@pytest.mark.parametrize(
    ("text", "where_", "words"),
    [
        ('title: "Event\\x07"\n', "1:14", "control character U+0007 in 'title'"),
        ("title: Event\nevent: Beijing \u202e\n", "2:16", "bidirectional control character"),
        ("title: Event\ndate: {a: 1}\n", "2:7", "'date' must be text, not a mapping"),
    ],
)
def test_bundle_file_cover_fields_control_characters(corpus: CorpusWriter, tmp_path: Path,
                                                     text: str, where_: str,
                                                     words: str) -> None:
    corpus.brief("moz/moz-a.md")
    (tmp_path / "event.yml").write_text(text + "select:\n  themes: [older-persons]\n",
                                        encoding="utf-8")
    result = run_bundle(tmp_path, "event.yml", "-o", "out.pdf")
    assert result.returncode == 1 and "\u202e" not in result.stderr
    assert f"error: event.yml:{where_}: {words}" in result.stderr


def test_bundle_file_that_is_a_fifo(corpus: CorpusWriter, tmp_path: Path) -> None:
    corpus.brief("moz/moz-a.md")
    os.mkfifo(tmp_path / "event.yml")
    result = run_bundle(tmp_path, "event.yml", "-o", "out.pdf")
    assert result.returncode == 1
    assert "error: event.yml: is a FIFO (named pipe), not a regular file\n" in result.stderr
