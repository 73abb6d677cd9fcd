"""Invisible and dangerous characters in text values, found at their line and column.

One rule for every value a contributor writes (brief front matter, ``themes.yml`` and
``regions.yml``, bundle files): no C0/C1 control characters (a tab never, a line break only
where a field holds multi-line text), no Unicode noncharacters (U+FFFE, U+FFFF, ...) or lone
surrogates, no line or paragraph separators (U+2028, U+2029), and no bidirectional
embeddings, overrides or isolates (U+202A-U+202E, U+2066-U+2069), which reorder what readers
see. Left-to-right and right-to-left marks (U+200E, U+200F) are fine.

A character can reach a value two ways: written literally in the file (found by
:func:`literal_findings` in the source text, before YAML parses it) or as an escape in a
double-quoted YAML string, ``"\\x07"`` (found by :func:`escaped_findings` in the parsed
node, and located at its backslash).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

import yaml

from site_builder.findings import Finding

CODE = "control-character"

_NONCHARACTERS = "\ufdd0-\ufdef" + "".join(
    f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17))
_BIDI = "\u202a-\u202e\u2066-\u2069"
# Everything forbidden in a value except tab and line break, which depend on the field.
# U+2028/U+2029 too: YAML counts them as line breaks (every later line number would be off)
# and no field needs them.
_BAD = f"\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff{_BIDI}{_NONCHARACTERS}"
_BAD_RE = re.compile(f"[{_BAD}]")
# The full class is slow to search (its astral ranges defeat the regex engine's bitmaps:
# ten times slower than these two); most text is ASCII or within the BMP.
_ASCII_BAD_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f]")
_BMP_BAD_RE = re.compile(f"[{_BAD[:_BAD.index(_NONCHARACTERS)]}\ufdd0-\ufdef\ufffe\uffff]")
_ASTRAL_RE = re.compile("[\U00010000-\U0010ffff]")
# The escapes of YAML double-quoted strings that can produce a character.
_ESCAPE_RE = re.compile(r"\\(x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)", re.S)
_BIDI_RE = re.compile(f"[{_BIDI}]")
_SIMPLE_ESCAPES = {"0": "\x00", "a": "\x07", "b": "\x08", "t": "\t", "n": "\n", "v": "\x0b",
                   "f": "\x0c", "r": "\r", "e": "\x1b", "N": "\x85", "L": "\u2028",
                   "P": "\u2029"}


def _bad_re(text: str) -> re.Pattern[str]:
    """The fastest pattern that finds every forbidden character of ``text``."""
    if text.isascii():
        return _ASCII_BAD_RE
    return _BAD_RE if _ASTRAL_RE.search(text) else _BMP_BAD_RE


def is_bad(char: str, allow_newline: bool = False) -> bool:
    """Return whether one character is not allowed in a value."""
    if char == "\n":
        return not allow_newline
    return char == "\t" or _BAD_RE.match(char) is not None


def describe(char: str) -> str:
    """Name a forbidden character for a message: ``control character U+0007``."""
    code = f"U+{ord(char):04X}"
    if _BIDI_RE.match(char):
        return f"bidirectional control character {code}"
    if char in "\n\u2028\u2029":
        return f"line break {code}"
    if "\ud800" <= char <= "\udfff":
        return f"lone surrogate {code}"
    if _BAD_RE.match(char) and ord(char) > 0x9F:
        return f"noncharacter {code}"
    return f"control character {code}"



def message(char: str, what: str) -> str:
    """Return the one message for a forbidden character in ``what`` (e.g. ``'title'``)."""
    if char == "\n":
        return f"line break in {what}: write it on one line"
    return (f"{describe(char)} in {what}: remove it (invisible characters can break page "
            "titles, feeds and PDFs, or reorder the text readers see)")


def _position(text: str, index: int, first_line: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + first_line
    col = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, col


def literal_positions(text: str, first_line: int = 1) -> list[tuple[int, int, str]]:
    """Return (line, col, character) of each forbidden character written literally in
    YAML source text (tabs and line breaks are structure there; other checks own them)."""
    pattern = _bad_re(text)
    if pattern.search(text) is None:
        return []
    return [(*_position(text, m.start(), first_line), m.group()) for m in pattern.finditer(text)]


def literal_findings(text: str, path: str, first_line: int = 1,
                     what: Callable[[int], str] = lambda line: "a value") -> list[Finding]:
    """Return a finding for each forbidden character written literally in YAML source text;
    ``what(line)`` names the field on that line."""
    return [Finding(path, line, col, message(char, what(line)), CODE)
            for line, col, char in literal_positions(text, first_line)]


def blank_literals(text: str) -> str:
    """Replace literal forbidden characters by U+FFFD, so that YAML can parse the rest: one
    character for one (marks stay right), and one that is plain text wherever it stands."""
    return _bad_re(text).sub("\ufffd", text)


def _decode(escape: str) -> str:
    if escape[0] in "xuU" and len(escape) > 1:
        return chr(int(escape[1:], 16))
    return _SIMPLE_ESCAPES.get(escape, "")


def _escapes(source: str, start: int, end: int) -> Iterator[tuple[int, str]]:
    for match in _ESCAPE_RE.finditer(source, start, end):
        yield match.start(), _decode(match.group(1))


def escaped_findings(node: yaml.ScalarNode, source: str, path: str, first_line: int,
                     what: str, allow_newline: bool = False) -> list[Finding]:
    """Find forbidden characters that a scalar's escapes (or block lines) put in its value.

    ``source`` is the text the node was composed from; ``first_line`` the file line of its
    first line. A line break is allowed inside the text only with ``allow_newline`` (leading
    and trailing ones, such as the final newline of a ``>`` block, never count).
    """
    value = node.value
    findings: list[Finding] = []
    if not allow_newline and "\n" in value.strip():
        line, col = node.start_mark.line + first_line, node.start_mark.column + 1
        findings.append(Finding(path, line, col, message("\n", what), CODE))
    if node.style != '"' or ("\t" not in value and _bad_re(value).search(value) is None):
        return findings
    for index, char in _escapes(source, node.start_mark.index, node.end_mark.index):
        if char and char != "\n" and is_bad(char):
            findings.append(Finding(path, *_position(source, index, first_line),
                                    message(char, what), CODE))
    return findings


def text_problem(text: str, allow_newline: bool = False) -> str | None:
    """Return the description of the first forbidden character in plain text, or None."""
    for char in text:
        if is_bad(char, allow_newline):
            return describe(char)
    return None
