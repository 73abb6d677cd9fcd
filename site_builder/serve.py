"""``briefs serve``: MkDocs' live-reloading preview with the briefs plugin.

Errors in briefs are logged and shown as pages (see the plugin), so the preview survives
an edit that breaks a brief.
"""

from __future__ import annotations

from typing import Any

from mkdocs.commands.serve import serve as mkdocs_serve
from mkdocs.utils.yaml import yaml_load

from site_builder.findings import BriefsError
from site_builder.settings import Settings


def _plugins_with_pdf(raw: list[Any], pdf: bool) -> list[Any]:
    """Return mkdocs.yml's plugin list with the briefs plugin's PDFs switched on or off."""
    plugins: list[Any] = []
    for entry in raw:
        if entry == "briefs":
            entry = {"briefs": {}}
        if isinstance(entry, dict) and "briefs" in entry:
            options = dict(entry["briefs"] or {})
            pdf_opts = options.get("pdf", {})
            pdf_opts = {"enabled": pdf_opts} if isinstance(pdf_opts, bool) else dict(pdf_opts)
            options["pdf"] = {**pdf_opts, "enabled": pdf}
            entry = {"briefs": options}
        plugins.append(entry)
    return plugins


def serve(settings: Settings, *, dev_addr: str = "127.0.0.1:8000", pdf: bool = False) -> None:
    """Serve a live-reloading preview of the site until interrupted."""
    config_file = settings.project_dir / "mkdocs.yml"
    if not config_file.is_file():
        raise BriefsError(f"{config_file} not found: run from the project root")
    with open(config_file, encoding="utf-8") as handle:
        raw = yaml_load(handle) or {}
    try:
        mkdocs_serve(config_file=str(config_file), livereload=True, dev_addr=dev_addr,
                     plugins=_plugins_with_pdf(raw.get("plugins") or [], pdf))
    except KeyboardInterrupt:
        pass
    except Exception as exc:  # MkDocs' Abort on a broken configuration
        raise BriefsError(f"the preview could not start: {exc}") from exc
