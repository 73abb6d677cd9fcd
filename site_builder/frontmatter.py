"""Split a brief into YAML front matter and body, and read the front matter safely.

PyYAML is strict in the wrong places for authors (``NO`` becomes ``False``, an
impossible date raises ``ValueError``) and lenient in others (duplicate keys keep the
last value, anchors and ``!!python`` tags are accepted). This module composes the YAML
into nodes with the C parser, then builds plain values itself so that every value
keeps its line and column and every problem becomes a :class:`Finding`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from site_builder import textcheck
from site_builder.findings import Finding

try:  # the C parser is ~10x faster; fall back to pure Python where libyaml is missing
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
_ALLOWED_TAGS = {_STR, _INT, _FLOAT, _BOOL, _NULL, _SEQ, _MAP}
MULTILINE_FIELDS = frozenset({"summary"})
"""The fields whose text may hold line breaks (written as ``>`` or ``|`` blocks)."""


class _BriefLoader(_BaseLoader):
    """YAML 1.2-like resolution: only true/false are booleans; dates stay text."""

    def resolve(self, kind: type, value: str, implicit: tuple[bool, bool]) -> str:
        """Return a node's tag from the flat table below (the generic code is much slower)."""
        if kind is yaml.ScalarNode:
            if implicit[0]:
                for tag, regexp in _BY_FIRST.get(value[:1], _WILDCARD):
                    if regexp.match(value):
                        return tag
            return _STR
        return _SEQ if kind is yaml.SequenceNode else _MAP

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        """Do nothing: briefs use no path resolvers."""

    def ascend_resolver(self) -> None:
        """Do nothing: briefs use no path resolvers."""


_BriefLoader.yaml_implicit_resolvers = {
    first: [
        (tag, regexp)
        for tag, regexp in resolvers
        if tag not in ("tag:yaml.org,2002:timestamp", _BOOL)
    ]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}
for _first in "tTfF":
    _BriefLoader.add_implicit_resolver(
        _BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list(_first)
    )

# The C parser calls back into Python to resolve every node's tag; PyYAML's generic
# ``resolve`` rebuilds a list of candidates per scalar and walks path resolvers that briefs
# never use. This table and the overrides in _BriefLoader give the same tags in a fraction of the time
# (a tenth of the front-matter parse on 10,000 briefs).
_WILDCARD = tuple(_BriefLoader.yaml_implicit_resolvers.get(None, []))
_BY_FIRST = {first: tuple(resolvers) + _WILDCARD
             for first, resolvers in _BriefLoader.yaml_implicit_resolvers.items() if first is not None}



@dataclass(frozen=True)
class Value:
    """A front-matter value with the 1-based line and column where it starts."""

    value: Any  # str, int, float, bool, None, or list[Value]
    line: int
    col: int
    tag: str = _STR


@dataclass
class FrontMatter:
    """The parsed front matter of one file."""

    fields: dict[str, Value] = field(default_factory=dict)
    key_marks: dict[str, tuple[int, int]] = field(default_factory=dict)
    body: str = ""
    body_line: int = 1
    ok: bool = False  # False when the front matter could not be read at all


def _finding(path: str, line: int, col: int, message: str, code: str) -> Finding:
    return Finding(path, line, col, message, code)


def split(text: str, path: str) -> tuple[str | None, str, int, list[Finding]]:
    """Return (front matter text, body, body's first line, findings) of a brief's text."""
    if not text.startswith("---") or text[3:4] not in ("\n", ""):
        return None, text, 1, [
            _finding(path, 1, 1, "no front matter: a brief starts with a line '---', then YAML "
                     "fields (title, countries, themes, date, summary), then '---'", "no-front-matter")
        ]
    end = re.search(r"^(?:---|\.\.\.)[ \t]*$", text[4:], flags=re.MULTILINE)
    if end is None:
        return None, "", 1, [
            _finding(path, 1, 1, "front matter is not closed: add a line '---' after the last "
                     "field", "unclosed-front-matter")
        ]
    fm_text = text[4 : 4 + end.start()]
    body_start = 4 + end.end()
    if text[body_start : body_start + 1] == "\n":
        body_start += 1
    body_line = text.count("\n", 0, body_start) + 1
    return fm_text, text[body_start:], body_line, []


def _tab_findings(fm_text: str, path: str) -> list[Finding]:
    findings = []
    for number, line in enumerate(fm_text.split("\n"), start=2):
        col = line.find("\t")
        if col >= 0:
            findings.append(_finding(path, number, col + 1, "tab character in front matter: "
                                     "YAML needs spaces for indentation", "tab"))
    return findings


def _anchor_findings(fm_text: str, path: str) -> list[Finding]:
    """Find anchors and aliases by scanning events (only when '&' or '*' occurs at all)."""
    findings = []
    try:
        for event in yaml.parse(fm_text, Loader=_BriefLoader):
            anchor = getattr(event, "anchor", None)
            if anchor is None:
                continue
            mark = event.start_mark
            line, col = (mark.line + 2, mark.column + 1) if mark is not None else (1, 1)
            kind = "alias" if isinstance(event, yaml.AliasEvent) else "anchor"
            findings.append(_finding(path, line, col,
                                     f"YAML {kind} '{anchor}' is not allowed in briefs: "
                                     "write the value out in full", "yaml-anchor"))
    except yaml.YAMLError:
        pass  # reported by the composer
    return findings


def _yaml_error(exc: yaml.YAMLError, path: str) -> Finding:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line, col = (mark.line + 2, mark.column + 1) if mark is not None else (1, 1)
    problem = getattr(exc, "problem", None) or str(exc)
    context = getattr(exc, "context", None)
    detail = f"{context}, {problem}" if context else problem
    return _finding(path, line, col, f"front matter is not valid YAML: {detail}; check quotes, "
                    "colons and indentation on this line", "yaml-syntax")


@dataclass(frozen=True)
class Source:
    """Where composed nodes come from: the text, its file, and the file line of its line 1."""

    text: str
    path: str
    first_line: int = 2  # front matter starts on the line after '---'


def to_value(node: yaml.Node, source: Source, findings: list[Finding], what: str,
             allow_newline: bool = False) -> Value:
    """Build a :class:`Value` tree from a composed node, with file lines and columns.

    Adds a finding for every YAML tag other than the plain types and for every forbidden
    character (see :mod:`site_builder.textcheck`) in any string, ``what`` naming the field.
    """
    line, col = node.start_mark.line + source.first_line, node.start_mark.column + 1
    if node.tag not in _ALLOWED_TAGS:
        tag = node.tag.replace("tag:yaml.org,2002:", "!!")
        findings.append(_finding(source.path, line, col, f"YAML tag '{tag}' is not allowed in "
                                 "briefs: remove it and write a plain value", "yaml-tag"))
        return Value(None, line, col, _NULL)
    if isinstance(node, yaml.SequenceNode):
        return Value([to_value(item, source, findings, what) for item in node.value],
                     line, col, _SEQ)
    if isinstance(node, yaml.MappingNode):
        mapping = {}
        for key, value in node.value:
            check_scalar(key, source, findings, "a key")
            mapping[_scalar_text(key)] = to_value(value, source, findings, what)
        return Value(mapping, line, col, _MAP)
    assert isinstance(node, yaml.ScalarNode)
    if node.style or "\n" in node.value:  # plain one-line scalars are clean: no call for them
        check_scalar(node, source, findings, what, allow_newline)
    return Value(_construct_scalar(node), line, col, node.tag)


def check_scalar(node: yaml.Node, source: Source, findings: list[Finding], what: str,
                 allow_newline: bool = False) -> None:
    """Add findings for forbidden characters that escapes or block lines put in a scalar
    (literal ones are found in the source text before parsing)."""
    if isinstance(node, yaml.ScalarNode) and (node.style or "\n" in node.value):
        findings += textcheck.escaped_findings(node, source.text, source.path,
                                               source.first_line, what, allow_newline)


def _scalar_text(node: yaml.Node) -> str:
    return str(node.value) if isinstance(node, yaml.ScalarNode) else "<complex key>"


def _construct_scalar(node: yaml.ScalarNode) -> Any:
    text = node.value
    if node.tag == _STR:
        return text
    if node.tag == _BOOL:
        return text.lower() == "true"
    if node.tag == _NULL:
        return None
    if node.tag == _INT:
        try:
            return int(text.replace("_", ""), 0)
        except ValueError:
            return text
    try:
        return float(text.replace("_", ""))
    except ValueError:
        return text


def parse(text: str, path: str) -> tuple[FrontMatter, list[Finding]]:
    """Parse a brief's text into front matter fields and body, collecting every problem."""
    fm_text, body, body_line, findings = split(text, path)
    result = FrontMatter(body=body, body_line=body_line)
    if fm_text is None:
        return result, findings
    literal = textcheck.literal_positions(fm_text, first_line=2)
    if literal:  # parse the rest without them; report them once the fields are known
        fm_text = textcheck.blank_literals(fm_text)
    result, more = _parse_front_matter(fm_text, path, result)
    return result, findings + _literal_findings(literal, result, path) + more


def _literal_findings(literal: list[tuple[int, int, str]], fm: FrontMatter, path: str
                      ) -> list[Finding]:
    def field_at(line: int) -> str:
        above = [(kline, key) for key, (kline, _) in fm.key_marks.items() if kline <= line]
        return f"'{max(above)[1]}'" if above else "the front matter"

    return [_finding(path, line, col, textcheck.message(char, field_at(line)),
                     textcheck.CODE) for line, col, char in literal]


def _parse_front_matter(fm_text: str, path: str, result: FrontMatter
                        ) -> tuple[FrontMatter, list[Finding]]:
    findings: list[Finding] = []
    if "\t" in fm_text:
        return result, findings + _tab_findings(fm_text, path)
    if "&" in fm_text or "*" in fm_text:
        anchors = _anchor_findings(fm_text, path)
        if anchors:
            return result, findings + anchors
    try:
        loader = _BriefLoader(fm_text)
        try:
            root = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        return result, [*findings, _yaml_error(exc, path)]
    if root is None:
        findings.append(_finding(path, 1, 1, "front matter is empty: add title, countries, "
                                 "themes, date and summary", "empty-front-matter"))
        return result, findings
    if not isinstance(root, yaml.MappingNode):
        findings.append(_finding(path, root.start_mark.line + 2, root.start_mark.column + 1,
                                 "front matter must be a set of 'field: value' lines",
                                 "front-matter-not-mapping"))
        return result, findings
    source = Source(fm_text, path)
    for key_node, value_node in root.value:
        key = _scalar_text(key_node)
        if key_node.style:
            check_scalar(key_node, source, findings, "a field name")
        kline, kcol = key_node.start_mark.line + 2, key_node.start_mark.column + 1
        if key in result.fields:
            first = result.key_marks[key][0]
            findings.append(_finding(path, kline, kcol, f"duplicate field '{key}' (first set on "
                                     f"line {first}): keep one", "duplicate-key"))
            continue
        result.key_marks[key] = (kline, kcol)
        result.fields[key] = to_value(value_node, source, findings, f"'{key}'",
                                      allow_newline=key in MULTILINE_FIELDS)
    result.ok = True
    return result, findings
