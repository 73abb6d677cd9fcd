"""Cheap scans of Markdown source: which lines are code, code spans masked, nesting depth.

Shared by the body checks (:mod:`site_builder.body_checks`, :mod:`site_builder.body_limits`).
None of these functions is super-linear: they guard against input that makes Python-Markdown
slow, so they must not be slow on it themselves.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")
# A block marker: quote, list item, definition, admonition (``!!!``, ``???``, ``???+``).
_MARKER = re.compile(r">|(?:[-+*:]|\d{1,9}[.)]|!!!|\?\?\?\+?)(?=[ \t]|$)")
_SPACES = re.compile(r"[ \t]*")
_RULE = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")


def scan_lines(lines: list[str], has_fences: bool = True) -> Iterator[tuple[int, str, bool]]:
    """Yield (0-based index, line, is indented code) for the lines outside fenced code.

    "Indented code" is a line indented by four spaces or a tab after a blank line: an
    indented code block, or the continuation of a list item. ``has_fences=False`` (the text
    holds no code fences) skips looking for them.
    """
    fence: str | None = None
    previous_blank = True
    for number, line in enumerate(lines):
        if has_fences:
            match = _FENCE.match(line)
            if fence is not None:
                if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence):
                    fence = None
                continue
            if match:
                fence = match.group(1)
                continue
        if previous_blank and line[:1] in (" ", "\t") and line.startswith(("    ", "\t")) \
                and line.strip():
            yield number, line, True
            continue
        previous_blank = not line or line.isspace()
        yield number, line, False


def mask_code_spans(line: str) -> str:
    """Replace inline code spans by spaces (columns stay where they were)."""
    if "`" not in line:
        return line
    return _CODE_SPAN.sub(lambda m: " " * len(m.group(0)), line)


def prose_lines(body: str) -> list[str]:
    """Return the body's lines with code blocks emptied and code spans masked (same count)."""
    lines = body.split("\n")
    out = [""] * len(lines)
    for index, line, is_code in scan_lines(lines, "```" in body or "~~~" in body):
        if not is_code:
            out[index] = mask_code_spans(line)
    return out


def starts_block(line: str) -> bool:
    """Whether a line, after its indentation, starts with a block marker (``>``, ``-``, ...)."""
    match = _SPACES.match(line)
    return match is not None and _MARKER.match(line, match.end()) is not None


def nesting(line: str, limit: int) -> int:
    """Return how deep a line nests blocks: quotes, list markers (``- - x`` nests twice),
    definitions and admonitions count one each, two columns of indentation one.

    Counting stops just past ``limit``: only whether the line goes deeper matters.
    """
    if not line.strip() or _RULE.match(line):
        return 0
    text = line.expandtabs(4)
    depth, pos = 0, 0
    while depth <= limit:
        spaces = _SPACES.match(text, pos)
        assert spaces is not None  # the pattern matches the empty string
        width = spaces.end() - pos
        depth += (width if pos == 0 else max(width - 1, 0)) // 2
        pos = spaces.end()
        marker = _MARKER.match(text, pos)
        if marker is None:
            break
        depth += 1
        pos = marker.end()
    return depth
