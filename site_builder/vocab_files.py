"""Read ``themes.yml`` and ``regions.yml``: every entry checked, every problem at its line.

Theme and region ids become folder names, URLs and pack file names, so they must be slugs
(the same rule as brief slugs, :func:`site_builder.fields.is_slug`); entries may hold only
the keys below; titles and descriptions are text without control characters. The YAML is
composed into nodes (not loaded into values) so that each finding has the exact line and
column of the id, key or value it is about.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from site_builder import frontmatter, inputs, textcheck
from site_builder.fields import SLUG_RULE, is_slug
from site_builder.findings import Finding
from site_builder.model import Region, Theme
from site_builder.vocabulary import (
    did_you_mean,
    get_country,
    is_language,
    resolve_country,
    suggest_country,
)

MAX_BYTES = 1_000_000
THEME_KEYS = ("id", "title", "description")
REGION_KEYS = ("id", "title", "countries", "description")
_TEXT_TAGS = {"tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool",
              "tag:yaml.org,2002:str"}


def read_text(path: Path, shown: str, findings: list[Finding]) -> str | None:
    """Return a vocabulary or bundle file's text, or None with a finding at the file."""
    try:
        raw = inputs.read_bytes(path, MAX_BYTES)
    except inputs.InputFileError as exc:
        findings.append(exc.finding(shown))
        return None
    if len(raw) > MAX_BYTES:
        findings.append(Finding(shown, 1, 1, f"file is over {MAX_BYTES / 1e6:.0f} MB", "too-large"))
        return None
    text, problem = inputs.decode_utf8(raw)
    if problem is not None:
        findings.append(Finding(shown, *problem, "not-utf8"))
    return text


def compose(text: str, shown: str, findings: list[Finding]) -> tuple[yaml.Node | None, bool]:
    """Compose YAML text into nodes (forbidden literal characters reported and blanked);
    return the root node (None for an empty document) and whether the YAML was valid."""
    findings += textcheck.literal_findings(text, shown)
    try:
        loader = frontmatter._BriefLoader(textcheck.blank_literals(text))
        try:
            return loader.get_single_node(), True
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        findings.append(Finding(shown, line, col, f"not valid YAML: "
                                f"{getattr(exc, 'problem', None) or exc}", "yaml-syntax"))
        return None, False


def _at(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _kind_of(node: yaml.Node) -> str:
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if node.tag == "tag:yaml.org,2002:null":
        return "null"
    return f"'{node.value}'"


class _EntryReader:
    """Checks the entries of one vocabulary file."""

    def __init__(self, text: str, shown: str, keys: tuple[str, ...], kind: str,
                 findings: list[Finding]) -> None:
        self.source = frontmatter.Source(textcheck.blank_literals(text), shown, first_line=1)
        self.shown, self.keys, self.kind, self.findings = shown, keys, kind, findings

    def error(self, node: yaml.Node, message: str, code: str = "bad-vocabulary") -> None:
        self.findings.append(Finding(self.shown, *_at(node), message, code))

    def fields(self, entry: yaml.Node) -> dict[str, yaml.Node] | None:
        """Return an entry's keys and value nodes, reporting unknown and repeated keys."""
        if not isinstance(entry, yaml.MappingNode):
            self.error(entry, f"each entry must be a set of 'key: value' lines "
                       f"({', '.join(self.keys)}), not {_kind_of(entry)}")
            return None
        found: dict[str, yaml.Node] = {}
        for key_node, value_node in entry.value:
            key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "?"
            if key not in self.keys:
                self.error(key_node, f"unknown key '{key}'{did_you_mean(key, list(self.keys))};"
                           f" a {self.kind} has {', '.join(self.keys)}", "unknown-key")
            elif key in found:
                self.error(key_node, f"'{key}' is set twice in this entry: keep one")
            else:
                found[key] = value_node
        return found

    def entry(self, node: yaml.Node) -> Entry | None:
        """Return one entry as a Theme or Region, or None (with findings) when it is wrong."""
        fields = self.fields(node)
        if fields is None:
            return None
        entry_id = self.entry_id(node, fields.get("id"))
        title, titles = self.texts(node, fields.get("title"), "title", required=True)
        description, descriptions = self.texts(node, fields.get("description"), "description",
                                               False)
        codes = self.countries(fields.get("countries")) if self.kind == "region" else ()
        if entry_id is None or title is None or description is None or codes is None:
            return None
        at = _at(fields["id"])
        if self.kind == "theme":
            return Theme(entry_id, title, description, titles, descriptions), at
        return Region(entry_id, title, tuple(get_country(c) for c in codes), description,
                      titles, descriptions), at

    def texts(self, entry: yaml.Node, node: yaml.Node | None, key: str,
              required: bool) -> tuple[str | None, tuple[tuple[str, str], ...]]:
        """Read a text field: a string, or a mapping of language codes to strings.

        Return the text shown when no language is asked for (the string, or the mapping's
        first value) and the texts by language (empty for a plain string).
        """
        if not isinstance(node, yaml.MappingNode):
            return self.text(entry, node, key, required), ()
        texts: list[tuple[str, str]] = []
        for code_node, value_node in node.value:
            code = code_node.value if isinstance(code_node, yaml.ScalarNode) else None
            if not isinstance(code, str) or not is_language(code):
                self.error(code_node, f"'{key}' in several languages takes two-letter language "
                           f"codes (en, fr, es), not {_kind_of(code_node)}", "wrong-type")
                return None, ()
            text = self.text(entry, value_node, f"{key}.{code}", required)
            if text is None:
                return None, ()
            texts.append((code, text))
        if not texts:
            self.error(node, f"'{key}' must be text, not an empty mapping", "wrong-type")
            return None, ()
        return texts[0][1], tuple(texts)

    def entry_id(self, entry: yaml.Node, node: yaml.Node | None) -> str | None:
        if node is None:
            self.error(entry, f"this {self.kind} has no 'id'")
            return None
        text = node.value if isinstance(node, yaml.ScalarNode) and node.tag in _TEXT_TAGS \
            else None
        if not is_slug(text):
            self.error(node, f"{self.kind} id must be {SLUG_RULE} (it becomes a folder name "
                       f"and a URL), not {_kind_of(node)}", "bad-id")
            return None
        return text

    def text(self, entry: yaml.Node, node: yaml.Node | None, key: str,
             required: bool) -> str | None:
        if node is None or (not required and node.tag == "tag:yaml.org,2002:null"):
            if required:
                self.error(entry, f"this {self.kind} has no '{key}'")
            return None if required else ""
        if not isinstance(node, yaml.ScalarNode) or node.tag != "tag:yaml.org,2002:str" \
                or (required and not node.value.strip()):
            self.error(node, f"'{key}' must be text, not {_kind_of(node)}", "wrong-type")
            return None
        before = len(self.findings)
        frontmatter.check_scalar(node, self.source, self.findings, f"'{key}'",
                                 allow_newline=key == "description")
        return node.value.strip() if len(self.findings) == before else None

    def countries(self, node: yaml.Node | None) -> tuple[str, ...] | None:
        if node is None or node.tag == "tag:yaml.org,2002:null":
            return ()
        if not isinstance(node, yaml.SequenceNode):
            self.error(node, f"'countries' must be a list, not {_kind_of(node)}", "wrong-type")
            return None
        codes: list[str] = []
        for item in node.value:
            if not isinstance(item, yaml.ScalarNode):
                self.error(item, "each item of 'countries' must be a code or a name",
                           "wrong-type")
                continue
            code = resolve_country(str(item.value))
            if code is None:
                hint = suggest_country(str(item.value))
                self.error(item, f"unknown country '{item.value}' in region"
                           + (f" (did you mean {hint}?)" if hint else ""), "unknown-country")
            elif code not in codes:
                codes.append(code)
        return tuple(codes)


Entry = tuple[Theme | Region, tuple[int, int]]
"""A vocabulary entry and the line and column of its id."""


def read_entries(path: Path, shown: str, kind: str, findings: list[Finding]) -> list[Entry]:
    """Read one vocabulary file (``kind`` is 'theme' or 'region'); bad entries are left out."""
    text = read_text(path, shown, findings)
    if text is None:
        return []
    root, valid = compose(text, shown, findings)
    if not valid:
        return []
    if not isinstance(root, yaml.SequenceNode):
        findings.append(Finding(shown, *(_at(root) if root is not None else (1, 1)),
                                "must be a YAML list of entries ('- id: ...')", "bad-vocabulary"))
        return []
    reader = _EntryReader(text, shown, THEME_KEYS if kind == "theme" else REGION_KEYS, kind,
                          findings)
    return [entry for node in root.value if (entry := reader.entry(node)) is not None]
