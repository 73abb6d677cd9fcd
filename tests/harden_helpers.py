"""Helpers shared by the hardening tests (test_harden_*.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from conftest import CorpusWriter

from site_builder.corpus import load_corpus
from site_builder.findings import Finding, Severity

HANG_GUARD = 120
"""Seconds; only so that a regression fails instead of hanging the suite (never a timing)."""


def findings_of(corpus: CorpusWriter) -> list[Finding]:
    """Every finding of the corpus."""
    return load_corpus(corpus.root)[1]


def errors(corpus: CorpusWriter) -> list[Finding]:
    """The errors of the corpus."""
    return [f for f in findings_of(corpus) if f.severity is Severity.ERROR]


def only_error(corpus: CorpusWriter) -> Finding:
    """The one error of the corpus (fails if there are none or several)."""
    found = errors(corpus)
    assert len(found) == 1, [f.format() for f in found]
    return found[0]


def where(finding: Finding) -> tuple[str, int, int, str]:
    """Path, line, column and code of a finding."""
    return finding.path, finding.line, finding.col, finding.code


def briefs(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the ``briefs`` command in ``cwd``."""
    return subprocess.run([sys.executable, "-m", "site_builder", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=HANG_GUARD, check=False)
