"""Bundle files: ``bundles/<name>.yml`` describe a printable pack for an event.

Example::

    title: Social protection for older persons
    subtitle: Country briefs
    event: Global South-South Conference, Beijing
    date: 2016-09-06
    select:
      themes: [older-persons]
      countries: [MOZ, Cabo Verde]
      regions: []
      languages: [en]
      from: 2015
      to: 2016-12
      slugs: [tls-contributory-regime]
    order: theme        # theme | country | date | listed
    language: fr        # the cover's and contents' language (default: the briefs' own if
                        # they share one, else the site's)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from site_builder import inputs, textcheck
from site_builder.bundle.select import ORDERS, Selection, _hint, select_briefs, selection_problems
from site_builder.findings import BriefsError, Finding, escape_for_terminal
from site_builder.frontmatter import Source, _BriefLoader, check_scalar
from site_builder.index import Index
from site_builder.vocab_files import MAX_BYTES
from site_builder.vocabulary import is_language


class BundleFileError(BriefsError):
    """A bundle file that cannot be read; knows where (line 0: the file as a whole)."""

    def __init__(self, path: str, line: int, col: int, message: str) -> None:
        self.finding = Finding(path, max(line, 1), max(col, 1), message, "bundle-file")
        super().__init__(escape_for_terminal(f"{path}:{line}:{col}: {message}" if line
                                             else f"{path}: {message}"))


_TOP_KEYS = {"title", "subtitle", "event", "date", "select", "order", "language"}
_SELECT_KEYS = {"themes", "countries", "regions", "languages", "from", "to", "slugs"}


@dataclass(frozen=True)
class BundleSpec:
    """A bundle: its cover texts and its selection."""

    name: str
    title: str
    selection: Selection
    subtitle: str = ""
    event: str = ""
    date: str = ""
    language: str = ""  # the cover's language ("" for the briefs' or the site's)
    source: str = ""  # the file as shown in messages
    marks: dict[str, tuple[int, int]] = field(default_factory=dict, compare=False, repr=False)
    """Line and column of each key and list item: ``select.themes[0]`` -> (4, 12)."""

    def position(self, *keys: str) -> tuple[int, int]:
        """Return (line, col) of the first of ``keys`` found in the file, else (1, 1)."""
        return _position(self.marks, keys)


def _marks(node: yaml.Node | None, prefix: str = "") -> dict[str, tuple[int, int]]:
    """Map the keys and list items of a composed YAML document to their 1-based positions."""
    found: dict[str, tuple[int, int]] = {}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = f"{prefix}{key_node.value}" if isinstance(key_node, yaml.ScalarNode) else prefix
            found[key] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            found[key + "="] = (value_node.start_mark.line + 1, value_node.start_mark.column + 1)
            found.update(_marks(value_node, key + "."))
    elif isinstance(node, yaml.SequenceNode):
        base = prefix.rstrip(".")
        for i, item in enumerate(node.value):
            found[f"{base}[{i}]"] = (item.start_mark.line + 1, item.start_mark.column + 1)
    return found


def _position(marks: dict[str, tuple[int, int]], keys: tuple[str, ...]) -> tuple[int, int]:
    for key in keys:
        if key in marks:
            return marks[key]
    return (1, 1)


def check_bundle_spec(spec: BundleSpec, index: Index) -> list[Finding]:
    """Return a finding, at its line and column, for every wrong value of the file's selection.

    A selection whose values are all right but that matches no published brief is one
    finding too, at its ``select`` key.
    """
    findings = []
    for problem in selection_problems(spec.selection, index):
        key = problem.field if problem.field == "order" else f"select.{problem.field}"
        spots = ([f"{key}[{problem.item}]"] if problem.item is not None else []) + [f"{key}=", key]
        text = problem.message.replace(f"--{problem.field} ", f"'{problem.field}' ", 1)
        findings.append(Finding(spec.source, *spec.position(*spots), text, "bundle-file"))
    if not findings:
        try:
            select_briefs(spec.selection, index)
        except BriefsError as exc:  # an empty selection
            findings.append(Finding(spec.source, *spec.position("select"), str(exc), "bundle-file"))
    return findings


def located(finding: Finding) -> str:
    """Return a finding as ``file:line:col: message`` (for error messages; control
    characters escaped)."""
    return escape_for_terminal(f"{finding.path}:{finding.line}:{finding.col}: {finding.message}")


def _as_tuple(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, (str, int)):
        return (str(value),)
    if isinstance(value, list) and all(isinstance(v, (str, int)) for v in value):
        return tuple(str(v) for v in value)
    raise ValueError("must be a text or a list of texts")


def read_bundle_file(path: Path, shown: str | None = None) -> BundleSpec:
    """Read and check one bundle file; raise BriefsError naming the file and the problem."""
    shown = shown or str(path)
    text = _read(path, shown)
    try:
        loader = _BriefLoader(text)
        try:  # compose once: the nodes give the positions, then the values
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
        marks = _marks(node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        raise BundleFileError(shown, line, col, f"not valid YAML: {getattr(exc, 'problem', exc)}"
                              ) from None
    if node is None or not isinstance(data, dict):
        raise BundleFileError(shown, 0, 0, "a bundle file is a set of 'key: value' lines "
                              "(title, select, ...)")

    def fail(keys: tuple[str, ...], message: str) -> BundleFileError:
        return BundleFileError(shown, *_position(marks, keys), message)

    unknown = sorted(set(map(str, data)) - _TOP_KEYS)
    if unknown:
        key = unknown[0]
        raise fail((key,), f"unknown key '{key}'{_hint(key, sorted(_TOP_KEYS))}; allowed: "
                   f"{', '.join(sorted(_TOP_KEYS))}")
    select = data.get("select") or {}
    if not isinstance(select, dict):
        raise fail(("select=", "select"), "'select' must hold themes, countries, regions, "
                   "languages, from, to or slugs")
    unknown = sorted(set(map(str, select)) - _SELECT_KEYS)
    if unknown:
        key = unknown[0]
        raise fail((f"select.{key}",), f"unknown key '{key}' under select"
                   f"{_hint(key, sorted(_SELECT_KEYS))}; allowed: {', '.join(sorted(_SELECT_KEYS))}")
    _check_cover(node, text, shown)
    order = str(data.get("order") or ("listed" if select.get("slugs") and len(select) == 1 else "date"))
    if order not in ORDERS:
        raise fail(("order=",), f"unknown order '{order}': use one of {', '.join(ORDERS)}")
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        raise fail(("title=",), "'title' is required (the text on the cover)")

    def texts(key: str) -> tuple[str, ...]:
        try:
            return _as_tuple(select.get(key))
        except ValueError as exc:
            raise fail((f"select.{key}=",), f"select.{key} {exc}") from None

    selection = Selection(
        themes=texts("themes"), countries=texts("countries"), regions=texts("regions"),
        languages=texts("languages"),
        date_from=str(select["from"]) if select.get("from") is not None else None,
        date_to=str(select["to"]) if select.get("to") is not None else None,
        slugs=texts("slugs"),
        order=order,  # type: ignore[arg-type]
    )
    if not selection.has_filters and not selection.slugs:
        raise fail(("select",), "'select' is empty: choose themes, countries, regions, "
                   "languages, dates or slugs")
    language = str(data.get("language") or "")
    if language and not is_language(language):
        raise fail(("language=",), f"unknown language '{language}': use an ISO 639-1 code "
                   "such as fr")
    return BundleSpec(name=path.stem, title=title.strip(), selection=selection,
                      subtitle=str(data.get("subtitle") or ""), event=str(data.get("event") or ""),
                      date=str(data.get("date") or ""), language=language, source=shown,
                      marks=marks)



def _read(path: Path, shown: str) -> str:
    """Return a bundle file's text, refusing what is not a readable UTF-8 file (a FIFO is
    never opened) and characters that no value may hold."""
    try:
        raw = inputs.read_bytes(path, MAX_BYTES)
    except inputs.InputFileError as exc:
        raise BundleFileError(shown, 0, 0, exc.message) from None
    if len(raw) > MAX_BYTES:
        raise BundleFileError(shown, 0, 0, f"file is over {MAX_BYTES / 1e6:.0f} MB")
    text, problem = inputs.decode_utf8(raw)
    if problem is not None:
        raise BundleFileError(shown, *problem)
    assert text is not None
    literal = textcheck.literal_findings(text, shown)
    if literal:
        raise BundleFileError(shown, literal[0].line, literal[0].col, literal[0].message)
    return text


_COVER_KEYS = ("title", "subtitle", "event", "date", "order", "language")
_DATE_KEYS = ("date", "from", "to")
_DATE_TAGS = {"tag:yaml.org,2002:int", "tag:yaml.org,2002:timestamp"}


def _check_cover(node: yaml.Node, text: str, shown: str) -> None:
    """Cover texts (and ``order``, ``language``, ``select.from``, ``select.to``) must be
    plain text (a date may be written as a number or a YAML date) without control
    characters: a list, a mapping or a boolean would be printed as Python prints it."""
    source = Source(text, shown, first_line=1)
    for key_node, value in node.value:
        key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
        if key == "select" and isinstance(value, yaml.MappingNode):
            _check_dates(value, shown)
        if key not in _COVER_KEYS or value.tag == "tag:yaml.org,2002:null":
            continue
        allowed = {"tag:yaml.org,2002:str"} | (_DATE_TAGS if key == "date" else set())
        if not isinstance(value, yaml.ScalarNode) or value.tag not in allowed:
            kind = "a list" if isinstance(value, yaml.SequenceNode) else "a mapping" if \
                isinstance(value, yaml.MappingNode) else f"'{value.value}'"
            raise BundleFileError(shown, value.start_mark.line + 1, value.start_mark.column + 1,
                                  f"'{key}' must be text, not {kind}")
        problems: list[Finding] = []
        check_scalar(value, source, problems, f"'{key}'")
        if problems:
            raise BundleFileError(shown, problems[0].line, problems[0].col, problems[0].message)


def _check_dates(select: yaml.MappingNode, shown: str) -> None:
    for key_node, value in select.value:
        key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
        if key in _DATE_KEYS and value.tag != "tag:yaml.org,2002:null" and (
                not isinstance(value, yaml.ScalarNode)
                or value.tag not in _DATE_TAGS | {"tag:yaml.org,2002:str"}):
            kind = "a list" if isinstance(value, yaml.SequenceNode) else "a mapping" if \
                isinstance(value, yaml.MappingNode) else f"'{value.value}'"
            raise BundleFileError(shown, value.start_mark.line + 1, value.start_mark.column + 1,
                                  f"'{key}' must be a date as YYYY, YYYY-MM or YYYY-MM-DD, "
                                  f"not {kind}")


def bundle_files(folder: Path) -> list[Path]:
    """Return the bundle files of a project (``bundles/*.yml``), sorted by name."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in (".yml", ".yaml") and p.is_file())
