"""Problems found in briefs, reported GCC style: ``path:line:col: severity: message [code]``."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from enum import StrEnum

_TERMINAL_RE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def escape_for_terminal(text: str) -> str:
    """Show control and bidirectional characters as ``\\xNN`` / ``\\u202e`` escapes, so that
    printing a message can neither drive the terminal nor reorder or split the line."""
    if _TERMINAL_RE.search(text) is None:
        return text
    return _TERMINAL_RE.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                            else f"\\u{ord(m.group()):04x}", text)


class Severity(StrEnum):
    """How bad a finding is: errors fail validation and the build, warnings do not."""

    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Finding:
    """One problem at one place in one file."""

    path: str
    line: int
    col: int
    message: str
    code: str
    severity: Severity = Severity.ERROR

    def format(self) -> str:
        """Return the one-line GCC-style form (control characters escaped, see
        :func:`escape_for_terminal`)."""
        text = f"{self.path}:{self.line}:{self.col}: {self.severity.value}: {self.message} [{self.code}]"
        return escape_for_terminal(text)

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-ready dict."""
        data = asdict(self)
        data["severity"] = self.severity.value
        return data


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Sort by file, line, column, then message; drop exact duplicates."""
    return sorted(set(findings), key=lambda f: (f.path, f.line, f.col, f.code, f.message))


def count(findings: Iterable[Finding], severity: Severity) -> int:
    """Count the findings of one severity."""
    return sum(1 for f in findings if f.severity is severity)


def summary_line(n_briefs: int, findings: list[Finding]) -> str:
    """Return the closing line, e.g. ``17 briefs, 0 errors, 1 warning``."""
    errors = count(findings, Severity.ERROR)
    warnings = count(findings, Severity.WARNING)

    def plural(n: int, word: str) -> str:
        return f"{n} {word}{'' if n == 1 else 's'}"

    return f"{plural(n_briefs, 'brief')}, {plural(errors, 'error')}, {plural(warnings, 'warning')}"


def to_json(n_briefs: int, findings: list[Finding]) -> str:
    """Return the findings and the counts as a JSON document."""
    return json.dumps(
        {
            "briefs": n_briefs,
            "errors": count(findings, Severity.ERROR),
            "warnings": count(findings, Severity.WARNING),
            "findings": [f.to_dict() for f in findings],
        },
        indent=2,
        ensure_ascii=False,
    )


class BriefsError(Exception):
    """Base of the errors this tool raises for bad input; the CLI prints them without traceback."""


class ValidationFailed(BriefsError):
    """Raised by a build when validation found errors; carries the findings."""

    def __init__(self, findings: list[Finding], n_briefs: int) -> None:
        self.findings = findings
        self.n_briefs = n_briefs
        super().__init__(summary_line(n_briefs, findings))
