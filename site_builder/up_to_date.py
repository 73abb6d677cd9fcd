"""Tell whether a build would change nothing, without loading MkDocs or WeasyPrint.

After a successful ``briefs build``, :func:`record_build` stores two things in the cache
folder: a fingerprint of every input (the briefs folder, bundle files, ``docs/``, the
override folder, mkdocs.yml, the build options, the package's own code and theme, the
versions of the libraries that shape the output) and a manifest of the built ``site/``
(every file's path, size and modification time). The next ``briefs build`` computes the
fingerprint again; when it matches and ``site/`` still matches its manifest (nobody
changed, added or removed a file there), nothing is rebuilt and ``site/`` is left exactly
as it is. The record is verified, never trusted: anything that does not match, or a record
that cannot be read, means a full build.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
from pathlib import Path
from typing import Any

from site_builder import __version__
from site_builder.files import write_atomic
from site_builder.settings import Settings

STATE_FILE = "last-build.json"
"""In the cache folder: the fingerprint and manifest of the last successful build."""
_PACKAGE = Path(__file__).resolve().parent
_LIBRARIES = ("mkdocs", "mkdocs-material", "weasyprint", "markdown", "pymdown-extensions",
              "pagefind", "pagefind-bin", "jinja2", "babel", "nh3", "pikepdf", "pycountry")


def library_versions() -> list[str]:
    """Return ``name==version`` of each library that shapes the output, as installed.

    Read from the names of the ``*.dist-info`` (or ``*.egg-info``) folders on ``sys.path``,
    first match first as the import system finds them: importing ``importlib.metadata``
    and asking it twelve times would be a tenth of a no-op build.
    """
    wanted = {_normalise(name): name for name in _LIBRARIES}
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for folder in names:
            stem, dot, suffix = folder.rpartition(".")
            if not dot or suffix not in ("dist-info", "egg-info"):
                continue
            name, _, release = stem.partition("-")
            key = _normalise(name)
            if key in wanted and key not in found:
                found[key] = release.split("-")[0]
    return [f"{wanted[key]}=={found[key]}" if key in found else f"{wanted[key]} missing"
            for key in wanted]


def _normalise(name: str) -> str:
    """A distribution name as wheels spell it in their folder names (``mkdocs_material``)."""
    return name.lower().replace("-", "_").replace(".", "_")


def _hash_tree(digest: Any, folder: Path, skip: frozenset[str] = frozenset()) -> None:
    """Feed every file under ``folder`` (relative path, bytes) to ``digest``, in a fixed order."""
    if not folder.is_dir():
        digest.update(b"missing:" + folder.name.encode())
        return
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d not in skip)
        for name in sorted(files):
            path = Path(root, name)
            digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
            if not path.is_file():  # a FIFO or device would block the read (or never end)
                digest.update(b"special")
                continue
            try:
                with open(path, "rb") as handle:
                    digest.update(hashlib.sha256(handle.read()).digest())
            except OSError:
                digest.update(b"unreadable")


def _docs_dir(project: Path) -> Path:
    """The docs folder named in mkdocs.yml (a cheap read: one key, no YAML tags resolved)."""
    try:
        for line in (project / "mkdocs.yml").read_text(encoding="utf-8").splitlines():
            if line.startswith("docs_dir:"):
                return project / line.split(":", 1)[1].split("#")[0].strip().strip("'\"")
    except OSError:
        pass
    return project / "docs"


def input_fingerprint(settings: Settings, options: dict[str, object]) -> str:
    """Return the hash of everything a build reads, and of how it was asked to build."""
    digest = hashlib.sha256(json.dumps(
        [__version__, library_versions(), options, os.environ.get("SOURCE_DATE_EPOCH", "")],
        sort_keys=True, default=str).encode())
    project = settings.project_dir
    for config in sorted(project.glob("mkdocs.y*ml")):
        try:
            digest.update(config.read_bytes())
        except OSError:  # the build says what is wrong with it
            digest.update(b"unreadable")
    folders = [settings.content_root, project / settings.bundles_dir, _docs_dir(project)]
    if settings.custom_dir is not None:
        folders.append(settings.custom_dir)
    for folder in folders:
        _hash_tree(digest, folder)
    _hash_tree(digest, _PACKAGE, frozenset({"__pycache__"}))
    return digest.hexdigest()


def site_manifest(site: Path) -> dict[str, list[int]]:
    """Return every file of a built site with its size and modification time (ns)."""
    manifest: dict[str, list[int]] = {}
    prefix = len(str(site)) + 1
    for root, _dirs, files in os.walk(site):
        for name in files:
            path = os.path.join(root, name)
            stat = os.stat(path)
            manifest[path[prefix:]] = [stat.st_size, stat.st_mtime_ns]
    return manifest


def _state_path(settings: Settings) -> Path:
    return settings.cache_root / STATE_FILE


def build_options(settings: Settings, pdf: bool, strict: bool) -> dict[str, object]:
    """Return the options that shape a build's output (``pdf``: PDFs asked for)."""
    options: dict[str, object] = {"pdf": pdf and settings.pdf.enabled, "strict": strict}
    if settings.print.enabled:
        options["print"] = repr(settings.print)
    return options


def is_up_to_date(settings: Settings, site: Path, inputs: str) -> bool:
    """Tell whether ``site`` is the output of the inputs whose fingerprint is ``inputs``
    (:func:`input_fingerprint`), and untouched since."""
    try:
        state = json.loads(_state_path(settings).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(state, dict) or not site.is_dir():
        return False
    if state.get("site") != str(site.resolve()):
        return False
    if state.get("inputs") != inputs:
        return False
    return state.get("manifest") == site_manifest(site.resolve())


def record_build(settings: Settings, site: Path, inputs: str) -> None:
    """Remember a successful build's output and the fingerprint of its inputs as it read
    them (taken before it started: one changed while it ran makes the next build run),
    best effort: a failure only costs a rebuild."""
    with contextlib.suppress(OSError):  # a site that cannot be listed, a read-only cache
        state = {"inputs": inputs, "site": str(site.resolve()),
                 "manifest": site_manifest(site.resolve())}
        write_atomic(_state_path(settings), json.dumps(state, sort_keys=True).encode())


def forget_build(settings: Settings) -> None:
    """Drop the record (before a build starts: a failed build must not look up to date)."""
    with contextlib.suppress(OSError):
        _state_path(settings).unlink()
