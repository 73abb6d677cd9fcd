"""Brief pages' Markdown converted by an earlier build comes from a verified cache: the
same site, byte for byte, and the same warnings (``--strict`` fails on them as before)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fixtures_site import make_project

from site_builder.conversion_cache import _stable, _Unstable

PROJECT_ROOT = Path(__file__).resolve().parent.parent
CACHE = Path(".cache/briefs/conversions")
MKDOCS_WARNINGS = ("contains an unrecognized relative link '../lao/'",
                   "does not contain an anchor '#no-such-heading'")


def _build(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT)}
    return subprocess.run([sys.executable, "-m", "site_builder", "build", "--no-pdf", "--force",
                           *args], cwd=project, env=env, capture_output=True, text=True,
                          timeout=600)


def _built(project: Path) -> tuple[str, dict[str, str]]:
    result = _build(project)
    assert result.returncode == 0, result.stdout + result.stderr
    site = project / "site"
    return result.stdout + result.stderr, {
        p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(site.rglob("*")) if p.is_file()}


def _warnings(output: str) -> list[str]:
    return [line for line in output.splitlines()
            if line.startswith("WARNING") and "missing-translation" not in line]


@pytest.mark.slow
def test_pages_from_the_cache_are_the_same_site_with_the_same_warnings(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p", PROJECT_ROOT / "briefs")
    brief = project / "briefs" / "col" / "col-rural-floor.md"
    # A link MkDocs warns about as it converts the page, one it checks once all are converted.
    brief.write_text(brief.read_text(encoding="utf-8") + "\n\nSee [the folder](../lao/) and "
                     "[a heading](../lao/lao-vang-vieng-health-insurance.md#no-such-heading).\n",
                     encoding="utf-8")
    cold_output, cold = _built(project)
    assert all(any(w in line for line in _warnings(cold_output)) for w in MKDOCS_WARNINGS)
    assert "brief pages' Markdown" not in cold_output  # nothing cached yet
    warm_output, warm = _built(project)
    assert "24 brief pages' Markdown (0 converted, 24 from the cache)" in warm_output
    assert warm == cold
    assert _warnings(warm_output) == _warnings(cold_output)
    strict = _build(project, "--strict")
    assert strict.returncode == 1
    assert all(w in strict.stderr for w in MKDOCS_WARNINGS)

    # One brief changed: only it is converted; the site is a cold build's.
    other = project / "briefs" / "cpv" / "cpv-social-pensions.md"
    other.write_text(other.read_text(encoding="utf-8").replace("## ", "## Changed: ", 1),
                     encoding="utf-8")
    changed_output, changed = _built(project)
    assert "(1 converted, 23 from the cache)" in changed_output
    for entry in (project / CACHE).iterdir():
        entry.unlink()
    _output, cold_again = _built(project)
    assert changed == cold_again


@pytest.mark.slow
def test_damaged_cached_conversions_are_converted_again(tmp_path: Path) -> None:
    project = make_project(tmp_path / "p", PROJECT_ROOT / "briefs")
    _output, first = _built(project)
    for damage in (lambda data: data[:len(data) // 2],  # truncated
                   lambda data: data.replace(b"<p>", b"<p>Edited ", 1),  # changed after it was written
                   lambda data: b"not even a hash"):
        (entry,) = (project / CACHE).iterdir()
        entry.write_bytes(damage(entry.read_bytes()))
        output, again = _built(project)
        assert "cached conversions of the brief pages are damaged" in output
        assert "from the cache)" not in output
        assert again == first


def test_options_that_change_from_run_to_run_turn_the_cache_off() -> None:
    assert _stable({"toc": {"permalink": False, "slugify": os.path.join}}) == \
        {"toc": {"permalink": False, "slugify": "posixpath.join"}}
    with pytest.raises(_Unstable):
        _stable([object()])
    with pytest.raises(_Unstable):
        _stable({"slugify": lambda text: text})
