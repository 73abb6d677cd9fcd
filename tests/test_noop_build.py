"""A build with nothing changed does nothing; a build after a change equals a cold build."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from fixtures_site import make_project

PROJECT_ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def _build(project: Path, *args: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    result = subprocess.run([sys.executable, "-m", "site_builder", "build", "--no-pdf", *args],
                            cwd=project, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def _state(site: Path) -> dict[str, tuple[str, int]]:
    return {p.relative_to(site).as_posix(): (hashlib.sha256(p.read_bytes()).hexdigest(),
                                             p.stat().st_mtime_ns)
            for p in sorted(site.rglob("*")) if p.is_file()}


def _bytes(site: Path) -> dict[str, str]:
    return {k: v[0] for k, v in _state(site).items()}


def test_no_op_build_leaves_the_site_untouched(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p", PROJECT_ROOT / "briefs")
    assert "built site/" in _build(project)
    before = _state(project / "site")
    out = _build(project)
    assert "nothing changed since the last build" in out
    assert _state(project / "site") == before
    # Touching a file without changing it is no change either.
    brief = next((project / "briefs").rglob("*.md"))
    os.utime(brief)
    assert "nothing changed" in _build(project)
    # A hand edit in site/ is noticed: the record is verified, not trusted.
    (project / "site" / "feed.xml").write_text("edited", encoding="utf-8")
    assert "built site/" in _build(project)
    assert (project / "site" / "feed.xml").read_text(encoding="utf-8") != "edited"
    assert "built site/" in _build(project, "--force")
    assert "built site/" in _build(project, "--strict")  # other options, another build


def test_a_build_after_one_change_equals_a_cold_build(tmp_path: Path) -> None:
    warm = make_project(tmp_path / "warm", PROJECT_ROOT / "briefs")
    _build(warm)
    brief = sorted((warm / "briefs").rglob("*.md"))[0]
    brief.write_text(brief.read_text(encoding="utf-8").replace("## ", "## Changed: ", 1),
                     encoding="utf-8")
    assert "built site/" in _build(warm)
    cold = make_project(tmp_path / "cold")
    shutil.copytree(warm / "briefs", cold / "briefs")
    _build(cold)
    assert _bytes(warm / "site") == _bytes(cold / "site")


def test_a_brief_changed_while_the_site_builds_is_built_next_time(tmp_path: Path) -> None:
    """The inputs are recorded as the build read them, not as they are when it ends."""
    project = make_project(tmp_path / "p", PROJECT_ROOT / "briefs")
    brief = next(p for p in sorted((project / "briefs").rglob("*.md"))
                 if "draft: true" not in p.read_text(encoding="utf-8"))
    # An MkDocs hook edits a brief once the pages are written: as an author saving it would.
    (project / "edit_hook.py").write_text(
        "from pathlib import Path\n\n\n"
        "def on_post_build(config, **kwargs):\n"
        f"    brief = Path({str(brief)!r})\n"
        "    if 'Saved meanwhile' not in brief.read_text(encoding='utf-8'):\n"
        "        brief.write_text(brief.read_text(encoding='utf-8')"
        ".replace('## ', '## Saved meanwhile: ', 1), encoding='utf-8')\n",
        encoding="utf-8")
    config = project / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8") + "\nhooks:\n  - edit_hook.py\n",
                      encoding="utf-8")
    def pages_saying(text: str) -> list[str]:
        return [p.name for p in (project / "site" / "briefs").rglob("index.html")
                if text in p.read_text(encoding="utf-8")]

    assert "built site/" in _build(project)
    assert "Saved meanwhile" in brief.read_text(encoding="utf-8")
    assert pages_saying("Saved meanwhile") == []  # the build read it before the change
    assert "built site/" in _build(project)  # so the next build is not a no-op
    assert len(pages_saying("Saved meanwhile")) == 1
