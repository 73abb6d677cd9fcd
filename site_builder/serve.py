"""``briefs serve``: MkDocs' live-reloading preview with the briefs plugin.

Errors in briefs are logged and shown as pages (see the plugin), so the preview survives
an edit that breaks a brief. The PDFs are rendered by default: the page meter and the PDF
preview need them (one changed brief renders in this process, in about a second).
Rebuilds are incremental (MkDocs' ``dirty`` build, and :mod:`site_builder.preview`
telling it which generated files changed).
"""

from __future__ import annotations

import logging
from typing import Any

from mkdocs.commands.serve import serve as mkdocs_serve
from mkdocs.utils.yaml import yaml_load

from site_builder.build import mkdocs_logging
from site_builder.findings import BriefsError
from site_builder.settings import Settings


def _plugins_with_pdf(raw: list[Any] | dict[str, Any], pdf: bool) -> dict[str, Any]:
    """Return mkdocs.yml's plugins as a mapping, the briefs plugin's PDFs switched on or off.

    A mapping, not a list: MkDocs pops the items of a list's one-key dicts while loading
    the configuration, and ``mkdocs serve`` loads it again with the same value on every
    rebuild.
    """
    entries = raw.items() if isinstance(raw, dict) else (
        next(iter(e.items())) if isinstance(e, dict) else (e, None) for e in raw)
    plugins: dict[str, Any] = {}
    for name, options in entries:
        if name == "briefs":
            options = dict(options or {})
            pdf_opts = options.get("pdf", {})
            pdf_opts = {"enabled": pdf_opts} if isinstance(pdf_opts, bool) else dict(pdf_opts)
            options["pdf"] = {**pdf_opts, "enabled": pdf}
        plugins[name] = options
    return plugins


class _DirtyNotice(logging.Filter):
    """Drop MkDocs' warning about ``dirty`` builds: the plugin tells MkDocs what changed."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "'dirty' build" not in record.getMessage()


def serve(settings: Settings, *, dev_addr: str = "127.0.0.1:8000", pdf: bool = True) -> None:
    """Serve a live-reloading preview of the site until interrupted.

    ``pdf`` renders the brief PDFs (cached) for the page meter and the PDF preview.
    Raises :class:`BriefsError` when mkdocs.yml is missing or broken; errors in briefs do
    not stop the preview, they are logged and shown at ``/errors/`` and at the brief's URL.
    """
    config_file = settings.project_dir / "mkdocs.yml"
    if not config_file.is_file():
        raise BriefsError(f"{config_file} not found: run from the project root")
    with open(config_file, encoding="utf-8") as handle:
        raw = yaml_load(handle) or {}
    plugins = _plugins_with_pdf(raw.get("plugins") or [], pdf)
    if "briefs" not in plugins:
        raise BriefsError("mkdocs.yml must list the 'briefs' plugin under 'plugins'")
    notice = _DirtyNotice()
    build_log = logging.getLogger("mkdocs.commands.build")
    build_log.addFilter(notice)
    try:
        with mkdocs_logging(progress=True):  # "Serving on ...", rebuilds, the briefs' errors
            mkdocs_serve(config_file=str(config_file), livereload=True, dev_addr=dev_addr,
                         plugins=plugins, build_type="dirty")
    except KeyboardInterrupt:
        pass
    except Exception as exc:  # MkDocs' Abort on a broken configuration
        raise BriefsError(f"the preview could not start: {exc}") from exc
    finally:
        build_log.removeFilter(notice)
