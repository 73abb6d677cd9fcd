"""The package stands alone: a wheel built from the repository, installed in a fresh
virtual environment, starts and builds a new project (``briefs init``) with its PDFs."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# Not /tmp: creating thousands of files there is slow on the CI machine.
WORK = PROJECT_ROOT / "build" / "wheel-test"


def _run(args: list[str | Path], cwd: Path, timeout: int = 600) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run([str(a) for a in args], cwd=cwd, env=env, text=True,
                          capture_output=True, timeout=timeout, check=False)


@pytest.mark.slow
def test_wheel_in_a_clean_venv_builds_a_new_project() -> None:
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    built = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", WORK, "."],
                 PROJECT_ROOT)
    assert built.returncode == 0, built.stderr
    wheel = next(WORK.glob("country_briefs-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    for part in ("site_builder/theme/templates/briefs/brief.html",
                 "site_builder/theme/material/main.html", "site_builder/theme/fonts/OFL.txt",
                 "site_builder/theme/assets/search/search.js", "site_builder/theme/print/brief.css",
                 "site_builder/locales/fr/LC_MESSAGES/messages.po",
                 "site_builder/project_template/mkdocs.yml"):
        assert part in names, part

    venv = WORK / "venv"
    assert _run([sys.executable, "-m", "venv", venv], WORK).returncode == 0
    python = venv / "bin" / "python"
    installed = _run([python, "-m", "pip", "install", "-q", wheel], WORK, timeout=900)
    assert installed.returncode == 0, installed.stderr
    where = _run([python, "-c", "import site_builder; print(site_builder.__file__)"], WORK)
    assert where.stdout.strip().startswith(str(venv)), where.stdout  # the wheel, not this checkout

    briefs = venv / "bin" / "briefs"
    made = _run([briefs, "init", "new-project"], WORK)
    assert made.returncode == 0, made.stderr
    project = WORK / "new-project"
    assert {p.name for p in project.iterdir()} >= {"mkdocs.yml", "briefs", "bundles", "docs"}
    again = _run([briefs, "init", "new-project"], WORK)
    assert again.returncode != 0 and "not an empty folder" in again.stderr
    result = _run([briefs, "build"], project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "built site/" in result.stdout + result.stderr
    site = project / "site"
    assert (site / "briefs" / "example-brief" / "index.html").is_file()
    assert (site / "pdf" / "example-brief.pdf").read_bytes().startswith(b"%PDF")
    assert (site / "themes" / "social-protection" / "index.html").is_file()
    assert (site / "assets" / "stylesheets" / "briefs.css").is_file()
    assert (site / "pagefind").is_dir()
    shutil.rmtree(WORK, ignore_errors=True)
