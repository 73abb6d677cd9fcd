"""Keep mkdocs.yml's ``markdown_extensions`` the ones briefs are validated with.

Validation and the PDF render a brief body with
:data:`site_builder.markdown_render.MARKDOWN_EXTENSIONS` (and their options); the site
renders it with whatever mkdocs.yml lists. If the two differed, a body would pass
validation and ship other HTML: an extension such as ``pymdownx.snippets`` pastes files from
disk into the page, ``pymdownx.arithmatex`` or a changed option makes markup the validator
never saw. So mkdocs.yml must list exactly the validator's extensions, in any spelling
(``toc``, ``markdown.extensions.toc``, ``markdown.extensions.toc:TocExtension``) and with
options that come to the same settings (``toc: {permalink: false}`` is the default);
anything else is an error at its line of mkdocs.yml (listing none gives the validator's).
MkDocs always adds ``fenced_code``, which the validator does not use:
:func:`align_mkdocs_config` takes it out again, so a fence means the same on the web page
as in validation and the PDF.

Unknown extensions are refused by name, never imported: importing one may run its code.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from site_builder.findings import Finding

CODE = "markdown-extension"
MKDOCS_BUILTINS = ("toc", "tables", "fenced_code")
"""What MkDocs adds to every ``markdown_extensions`` list (``mkdocs/config/defaults.py``)."""
DANGEROUS: dict[str, str] = {
    "pymdownx.snippets": "pastes files from disk into pages",
    "markdown_include.include": "pastes files from disk into pages",
    "mdx_include": "pastes files and URLs into pages",
    "markdown_exec": "runs code while the site is built",
    "pymdownx.superfences": "runs custom fence formatters and passes raw HTML through",
    "pymdownx.arithmatex": "writes script elements and raw TeX the validator never sees",
    "pymdownx.emoji": "fetches images from a CDN",
    "mkdocs_macros": "runs template code",
    "plantuml_markdown": "runs a program and fetches from a server",
}
"""Extensions with a reason beyond "not the validator's" (the message names it)."""


@dataclass(frozen=True)
class Entry:
    """One extension as mkdocs.yml lists it."""

    name: str
    options: Mapping[str, Any]
    line: int
    col: int


def _canonical(name: str) -> str | None:
    """Return the validator's short name for a spelling of one of its extensions, or None."""
    from site_builder.markdown_render import MARKDOWN_EXTENSIONS

    short = name.split(":", 1)[0].removeprefix("markdown.extensions.")
    if short not in MARKDOWN_EXTENSIONS and short != "fenced_code":
        return None
    if name in (short, f"markdown.extensions.{short}") or \
            name.startswith(f"markdown.extensions.{short}:"):
        return short
    return None


def _settings_of(short: str, options: Mapping[str, Any]) -> dict[str, Any]:
    """Return what an extension's options come to (``getConfigs``); KeyError on an unknown one."""
    import importlib

    module = importlib.import_module(f"markdown.extensions.{short}")
    extension = module.makeExtension(**dict(options))
    return dict(extension.getConfigs())


def extension_findings(entries: list[Entry], shown: str) -> list[Finding]:
    """Return an error for each entry that makes brief bodies render otherwise than
    validation does (an unknown extension, other options), and for each of the
    validator's extensions missing."""
    from site_builder.markdown_render import MARKDOWN_EXTENSION_CONFIGS, MARKDOWN_EXTENSIONS

    wanted = ", ".join(MARKDOWN_EXTENSIONS)
    fix = f"briefs are validated and printed with exactly: {wanted}; the site must render " \
          "them the same way"
    findings: list[Finding] = []
    seen: set[str] = set()
    for entry in entries:
        short = _canonical(entry.name)
        if short is None or short == "fenced_code":
            why = DANGEROUS.get(entry.name.split(":", 1)[0])
            what = f"'{entry.name}' {why}" if why else \
                f"'{entry.name}' is not an extension briefs are validated with"
            findings.append(Finding(shown, entry.line, entry.col,
                                    f"markdown_extensions: {what}: remove it ({fix})", CODE))
            continue
        seen.add(short)
        expected = _settings_of(short, MARKDOWN_EXTENSION_CONFIGS.get(short, {}))
        try:
            given = _settings_of(short, entry.options)
        except (KeyError, TypeError, ValueError) as exc:
            findings.append(Finding(shown, entry.line, entry.col, f"markdown_extensions: "
                                    f"'{entry.name}' has an unknown option ({exc}): {fix}", CODE))
            continue
        changed = sorted(k for k in expected if given.get(k) != expected[k])
        if changed:
            findings.append(Finding(shown, entry.line, entry.col, f"markdown_extensions: "
                                    f"'{entry.name}': option {', '.join(changed)} differs from "
                                    f"the validator's ({_options_text(short)}): {fix}", CODE))
    missing = [name for name in MARKDOWN_EXTENSIONS
               if name not in seen and name not in MKDOCS_BUILTINS]
    if missing:
        findings.append(Finding(shown, entries[0].line if entries else 1, 1,
                                f"markdown_extensions lacks {', '.join(missing)}: {fix}", CODE))
    return findings


def _options_text(short: str) -> str:
    from site_builder.markdown_render import MARKDOWN_EXTENSION_CONFIGS

    options = MARKDOWN_EXTENSION_CONFIGS.get(short, {})
    return ", ".join(f"{k}: {v!r}" for k, v in options.items()) or "no options"


# -- reading mkdocs.yml ----------------------------------------------------------------

def _nodes(config_file: Path) -> yaml.Node | None:
    """Compose mkdocs.yml without constructing it (its ``!ENV`` and ``!relative`` tags need no
    meaning here); None when it does not parse (MkDocs says why)."""
    try:
        return yaml.compose(config_file.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None


def _key(mapping: yaml.Node | None, name: str) -> yaml.Node | None:
    if not isinstance(mapping, yaml.MappingNode):
        return None
    for key, value in mapping.value:
        if isinstance(key, yaml.ScalarNode) and key.value == name:
            return value
    return None


def _plain(node: yaml.Node) -> Any:
    """The value of a composed node; a tag other than YAML's own (``!ENV``) reads as text."""
    if isinstance(node, yaml.MappingNode):
        return {_plain(k): _plain(v) for k, v in node.value}
    if isinstance(node, yaml.SequenceNode):
        return [_plain(item) for item in node.value]
    if not node.tag.startswith("tag:yaml.org,2002:"):
        return node.value
    try:
        return yaml.SafeLoader("").construct_object(node)
    except yaml.YAMLError:  # !!python/name:... and other tags SafeLoader refuses
        return node.value


def _entries(node: yaml.Node) -> Iterator[Entry]:
    """The extensions of a ``markdown_extensions`` node (a list of names or one-key mappings,
    or a mapping), with their lines."""
    items: list[tuple[yaml.Node, yaml.Node | None]] = []
    if isinstance(node, yaml.SequenceNode):
        for item in node.value:
            if isinstance(item, yaml.MappingNode) and len(item.value) == 1:
                items.append(item.value[0])
            else:
                items.append((item, None))
    elif isinstance(node, yaml.MappingNode):
        items = list(node.value)
    for key, value in items:
        name = key.value if isinstance(key, yaml.ScalarNode) else str(_plain(key))
        options = _plain(value) if value is not None else {}
        yield Entry(str(name), options if isinstance(options, dict) else {},
                    key.start_mark.line + 1, key.start_mark.column + 1)


def listed_extensions(config_file: Path) -> list[Entry] | None:
    """Return the ``markdown_extensions`` of mkdocs.yml (following ``INHERIT``), or None
    when it does not say (a missing or unreadable file, no such key)."""
    seen: set[Path] = set()
    path = config_file
    while path.is_file() and path.resolve() not in seen:
        seen.add(path.resolve())
        root = _nodes(path)
        node = _key(root, "markdown_extensions")
        if node is not None:
            return list(_entries(node))
        parent = _key(root, "INHERIT")
        if not isinstance(parent, yaml.ScalarNode):
            return None
        path = path.parent / parent.value
    return None


def mkdocs_yml_findings(config_file: Path, shown: str = "mkdocs.yml") -> list[Finding]:
    """Check mkdocs.yml's ``markdown_extensions`` as written (``briefs validate``, and
    ``briefs build`` before MkDocs imports any extension); none listed is fine (the plugin
    then gives MkDocs the validator's)."""
    entries = listed_extensions(config_file)
    return [] if entries is None else extension_findings(entries, shown)


def align_mkdocs_config(extensions: list[Any], configs: Mapping[str, Any],
                        config_file: Path | None) -> tuple[list[Any], dict[str, Any]]:
    """Return the ``markdown_extensions`` and ``mdx_configs`` MkDocs must render with: the
    loaded ones without the ``fenced_code`` MkDocs adds, or the validator's when mkdocs.yml
    lists none. Raise :class:`ValueError` with the findings' lines when they render brief
    bodies otherwise than validation (the plugin's ``on_config``; MkDocs has already merged
    ``INHERIT`` and the options into ``configs``)."""
    from site_builder.markdown_render import MARKDOWN_EXTENSION_CONFIGS, MARKDOWN_EXTENSIONS

    listed = listed_extensions(config_file) if config_file is not None else None
    if config_file is not None and listed is None \
            and all(isinstance(e, str) and e in MKDOCS_BUILTINS for e in extensions):
        return list(MARKDOWN_EXTENSIONS), {**configs, **MARKDOWN_EXTENSION_CONFIGS}
    lines = {e.name: (e.line, e.col) for e in listed or []}
    entries = []
    for ext in extensions:
        if not isinstance(ext, str):  # an Extension object another plugin added
            entries.append(Entry(f"{type(ext).__module__}:{type(ext).__qualname__}", {}, 1, 1))
            continue
        if ext == "fenced_code" and ext not in lines:
            continue  # MkDocs' own addition: taken out below
        entries.append(Entry(ext, configs.get(ext) or {}, *lines.get(ext, (1, 1))))
    shown = os.path.relpath(config_file) if config_file is not None else "mkdocs.yml"
    findings = extension_findings(entries, shown)
    if findings:
        raise ValueError("\n".join(f.format() for f in findings))
    return [ext for ext in extensions if ext != "fenced_code"], dict(configs)
