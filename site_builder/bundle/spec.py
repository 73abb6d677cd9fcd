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
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from site_builder.bundle.select import ORDERS, Selection
from site_builder.findings import BriefsError
from site_builder.frontmatter import _BriefLoader

_TOP_KEYS = {"title", "subtitle", "event", "date", "select", "order"}
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


def _as_tuple(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, (str, int)):
        return (str(value),)
    if isinstance(value, list) and all(isinstance(v, (str, int)) for v in value):
        return tuple(str(v) for v in value)
    raise BriefsError(f"{where} must be a text or a list of texts")


def read_bundle_file(path: Path, shown: str | None = None) -> BundleSpec:
    """Read and check one bundle file; raise BriefsError naming the file and the problem."""
    shown = shown or str(path)
    try:
        data = yaml.load(path.read_text(encoding="utf-8-sig"), Loader=_BriefLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{shown}:{mark.line + 1}:{mark.column + 1}" if mark else shown
        raise BriefsError(f"{where}: not valid YAML: {getattr(exc, 'problem', exc)}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BriefsError(f"{shown}: cannot be read: {exc}") from None
    if not isinstance(data, dict):
        raise BriefsError(f"{shown}: a bundle file is a set of 'key: value' lines (title, select, ...)")
    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise BriefsError(f"{shown}: unknown key(s) {', '.join(sorted(map(str, unknown)))}; "
                          f"allowed: {', '.join(sorted(_TOP_KEYS))}")
    select = data.get("select") or {}
    if not isinstance(select, dict):
        raise BriefsError(f"{shown}: 'select' must hold themes, countries, regions, languages, "
                          "from, to or slugs")
    unknown = set(select) - _SELECT_KEYS
    if unknown:
        raise BriefsError(f"{shown}: unknown key(s) under select: {', '.join(sorted(map(str, unknown)))};"
                          f" allowed: {', '.join(sorted(_SELECT_KEYS))}")
    order = str(data.get("order") or ("listed" if select.get("slugs") and len(select) == 1 else "date"))
    if order not in ORDERS:
        raise BriefsError(f"{shown}: unknown order '{order}': use one of {', '.join(ORDERS)}")
    title = data.get("title")
    if not isinstance(title, str) or not title.strip():
        raise BriefsError(f"{shown}: 'title' is required (the text on the cover)")
    selection = Selection(
        themes=_as_tuple(select.get("themes"), f"{shown}: select.themes"),
        countries=_as_tuple(select.get("countries"), f"{shown}: select.countries"),
        regions=_as_tuple(select.get("regions"), f"{shown}: select.regions"),
        languages=_as_tuple(select.get("languages"), f"{shown}: select.languages"),
        date_from=str(select["from"]) if select.get("from") is not None else None,
        date_to=str(select["to"]) if select.get("to") is not None else None,
        slugs=_as_tuple(select.get("slugs"), f"{shown}: select.slugs"),
        order=order,  # type: ignore[arg-type]
    )
    if not selection.has_filters and not selection.slugs:
        raise BriefsError(f"{shown}: 'select' is empty: choose themes, countries, regions, "
                          "languages, dates or slugs")
    return BundleSpec(name=path.stem, title=title.strip(), selection=selection,
                      subtitle=str(data.get("subtitle") or ""), event=str(data.get("event") or ""),
                      date=str(data.get("date") or ""))


def bundle_files(folder: Path) -> list[Path]:
    """Return the bundle files of a project (``bundles/*.yml``), sorted by name."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in (".yml", ".yaml") and p.is_file())
