"""``briefs serve``: a live-reloading preview of the site, built by MkDocs with the briefs plugin.

Errors in briefs are logged and shown as pages (see the plugin), so the preview survives
an edit that breaks a brief. The PDFs are rendered by default: the page meter and the PDF
preview need them. Rebuilds are incremental (MkDocs' ``dirty`` build, and
:mod:`site_builder.preview` telling it which generated files changed); a saved brief's
PDF is rendered in the background, and the browser updates once more when it is ready.

The server is MkDocs' :class:`~mkdocs.livereload.LiveReloadServer` with four changes:
it answers only requests addressed to it (the ``Host`` header names the address it
listens on: a page of another site that points a name of its own at 127.0.0.1, "DNS
rebinding", gets a 421), it hears saves through inotify rather than a poll every half
second, and a failed rebuild is reported in one line and keeps the previous site served
(MkDocs' own loop prints a traceback and stalls every request until the next save), and
its live reload (``assets/preview/livereload.js``) swaps a brief page's new article in
rather than reloading the page, when nothing around the article changed: the PDF preview
stays open (a reload restarts Chromium's PDF viewer), no asset is fetched again and the
author's scroll position is kept.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import ipaddress
import logging
import os
import posixpath
import shutil
import sysconfig
import tempfile
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import watchdog.events
import watchdog.observers
import watchdog.observers.api
import watchdog.observers.polling
from markupsafe import Markup
from mkdocs.commands.build import build
from mkdocs.config import load_config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.livereload import LiveReloadServer, _serve_url, _timestamp
from mkdocs.structure.files import File, Files
from mkdocs.utils.yaml import yaml_load

from site_builder.build import mkdocs_logging
from site_builder.findings import BriefsError
from site_builder.preview import TIMELINE
from site_builder.preview_files import tree_signature
from site_builder.preview_gate import WriteGate
from site_builder.settings import Settings
from site_builder.templating import Templates
from site_builder.theme_files import BUILTIN, ThemeFiles

log = logging.getLogger("mkdocs.plugins.site_builder")

_SAVES = (watchdog.events.EVENT_TYPE_CREATED, watchdog.events.EVENT_TYPE_MODIFIED,
          watchdog.events.EVENT_TYPE_DELETED, watchdog.events.EVENT_TYPE_MOVED,
          watchdog.events.EVENT_TYPE_CLOSED)
"""Events that change a file (not a read: the build itself opens every brief)."""
MISDIRECTED = b"421 Misdirected Request: this preview answers only at its own address\n"
LIVE_RELOAD = BUILTIN / "assets" / "preview" / "livereload.js"
"""The live-reload script inlined into every page served (see :func:`live_reload_tag`)."""
LIVE_RELOAD_TEMPLATE = "briefs/preview/livereload.html"


def page_shell(content: bytes) -> str:
    """Return a hash of an HTML page without its article (MkDocs' ``<article>``): its shell.

    Two builds of a page with the same shell differ only in their article: the browser may
    swap the new article in rather than reload (``assets/preview/livereload.js``).
    """
    start, end = content.find(b"<article"), content.rfind(b"</article>")
    outside = content[:start] + content[end:] if 0 <= start < end else content
    return hashlib.sha256(outside).hexdigest()[:20]


def live_reload_tag(script: str, epoch: int, shell: str) -> bytes:
    """Return the live reload's inline ``<script>`` element for a page of ``epoch`` and ``shell``.

    As MkDocs' own, whose injection this replaces; rendered by the theme's template
    ``briefs/preview/livereload.html`` (``script``: the theme's own script, not escaped).
    """
    html = _templates().render(LIVE_RELOAD_TEMPLATE, epoch=epoch, request=_timestamp(),
                               shell=shell, script=Markup(script))
    return html.encode("utf-8")


@functools.cache
def _templates() -> Templates:
    return Templates(ThemeFiles())


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


def allowed_hosts(host: str, port: int) -> frozenset[str]:
    """Return the ``Host`` header values a preview listening on ``host:port`` answers.

    The address itself; on a loopback address also ``localhost`` (and the other loopback
    spelling); listening on every interface (``0.0.0.0``, ``::``), any IP address. Names
    other than ``localhost`` are refused: a name is what DNS rebinding forges. The port
    may be left out only when it is 80 (a browser omits the default port).
    """
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    names = {host.lower()}
    if host.lower() == "localhost" or (address is not None and address.is_loopback):
        names |= {"localhost", "127.0.0.1", "[::1]"}
    if address is not None and address.version == 6:
        names = {f"[{address.compressed}]" if n == host.lower() else n for n in names}
    hosts = {f"{n}:{port}" for n in names}
    if port == 80:
        hosts |= names
    return frozenset(hosts)


def host_allowed(header: str, allowed: frozenset[str], any_ip_port: int | None) -> bool:
    """Tell whether a request's ``Host`` header names the preview (see :func:`allowed_hosts`).

    ``any_ip_port``: listening on every interface, any IP address at this port is allowed.
    """
    value = header.strip().lower()
    if value in allowed:
        return True
    if any_ip_port is None:
        return False
    name, _, port = value.rpartition(":")
    if port != str(any_ip_port):
        return False
    try:
        ipaddress.ip_address(name[1:-1] if name.startswith("[") and name.endswith("]") else name)
    except ValueError:
        return False
    return True


class PreviewServer(LiveReloadServer):
    """MkDocs' live-reload server that checks ``Host``, hears saves at once and rebuilds on demand."""

    def __init__(self, builder: Callable[..., None], host: str, port: int, root: str,
                 mount_path: str = "/", gate: WriteGate | None = None) -> None:
        super().__init__(builder=builder, host=host, port=port, root=root, mount_path=mount_path)
        self.gate = gate or WriteGate()
        """Which files a rebuild under way leaves alone: those are served at once."""
        self.allowed = allowed_hosts(host, port)
        self.any_ip_port = port if host in ("0.0.0.0", "::") else None
        self.build_delay = 0.05  # editors save in a burst of events; wait for it to end
        self.observer = watchdog.observers.Observer()  # type: ignore[assignment]
        # (inotify on Linux: a save is heard at once, not at the next poll)
        self._polling = False
        self._live_reload = LIVE_RELOAD.read_text(encoding="utf-8")
        self._handlers: dict[str, tuple[watchdog.events.FileSystemEventHandler, bool]] = {}

    def serve_request(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        """Answer a request addressed to this preview; refuse any other ``Host`` with 421."""
        if not host_allowed(environ.get("HTTP_HOST", ""), self.allowed, self.any_ip_port):
            start_response("421 Misdirected Request",
                           [("Content-Type", "text/plain; charset=utf-8"),
                            ("Content-Length", str(len(MISDIRECTED)))])
            return [MISDIRECTED]
        return super().serve_request(environ, start_response)

    def _serve_request(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes] | None:
        """Serve a file of the site: at once if the rebuild under way leaves it alone (see :class:`WriteGate`).

        Otherwise as MkDocs does: wait for the rebuild, then read it.
        """
        path = environ["PATH_INFO"].encode("latin-1").decode("utf-8", "ignore")
        if path.startswith("/livereload/") or not (path + "/").startswith(self.mount_path):
            return super()._serve_request(environ, start_response)
        rel_path = path[len(self.mount_path):] + ("index.html" if path.endswith("/") else "")
        rel_path = posixpath.normpath("/" + rel_path).lstrip("/")
        with self._epoch_cond:
            epoch = self._visible_epoch
        content = self.gate.read(self.root, rel_path)
        if content is None:  # being written, or not a file: MkDocs' way
            return super()._serve_request(environ, start_response)
        if self._watched_paths and rel_path.endswith(".html"):
            content = self._inject_js_into_html(content, epoch)
        start_response("200 OK", [("Content-Type", self._guess_type(rel_path)),
                                  ("Content-Length", str(len(content)))])
        return [content]

    def _inject_js_into_html(self, content: bytes, epoch: int) -> bytes:
        """Add the live reload to a page, as MkDocs does, but ours: it swaps a brief's new article in."""
        body_end = content.rfind(b"</body>")
        if body_end < 0:
            body_end = len(content)
        tag = live_reload_tag(self._live_reload, epoch, page_shell(content))
        return content[:body_end] + tag + content[body_end:]

    def watch(self, path: str, func: None = None, *, recursive: bool = True) -> None:
        """Rebuild when a file under ``path`` is written, created, moved or deleted."""
        path = os.path.abspath(path)
        if path in self._watched_paths:
            self._watched_paths[path] += 1
            return
        self._watched_paths[path] = 1

        def callback(event: watchdog.events.FileSystemEvent) -> None:
            if event.is_directory or event.event_type not in _SAVES:
                return
            TIMELINE.start()
            self.gate.saved()
            self.request_rebuild()

        handler = watchdog.events.FileSystemEventHandler()
        handler.on_any_event = callback  # type: ignore[method-assign]
        self._handlers[path] = (handler, recursive)
        try:
            self._watch_refs[path] = self.observer.schedule(handler, path, recursive=recursive)
        except OSError as exc:  # out of inotify watches: poll instead, as MkDocs does
            if self._polling:
                raise
            log.warning("watching %s with inotify failed (%s): polling for changes instead",
                        path, exc)
            self._use_polling()

    def _use_polling(self) -> None:
        """Move every watch to a polling observer (twice a second, like MkDocs)."""
        self.observer.unschedule_all()
        self.observer = watchdog.observers.polling.PollingObserver(timeout=0.5)
        self._polling = True
        for path, (handler, recursive) in self._handlers.items():
            self._watch_refs[path] = self.observer.schedule(handler, path, recursive=recursive)

    def request_rebuild(self) -> None:
        """Rebuild the site (and reload the browsers) as soon as the current build ends."""
        with self._rebuild_cond:
            self._want_rebuild = True
            self._rebuild_cond.notify_all()


_PACKAGES = os.path.realpath(sysconfig.get_paths()["purelib"])
ONCE_TEMPLATES = ("sitemap.xml", "404.html")
"""Theme templates rendered only by the first build: rendering the sitemap of every page
on each save is wasted in a preview, and the 404 page shows only the navigation."""


class ThemeListing:
    """The theme files MkDocs lists on every build (thousands with mkdocs-material), listed once.

    A theme installed as a package does not change while the preview runs; folders of the
    project (``custom_dir``) and of this package are small and listed again when a file
    is added, moved or removed under them. From the second build on, the
    :data:`ONCE_TEMPLATES` are not rendered again (MkDocs renders the theme's static
    templates right after listing its files).
    """

    def __init__(self, original: Callable[[Files, Any, MkDocsConfig], None],
                 gate: WriteGate | None = None) -> None:
        self._original = original
        self._gate = gate
        self._key: tuple[object, ...] = ()
        self._found: list[tuple[str, str]] = []

    def add_files(self, files: Files, env: Any, config: MkDocsConfig) -> None:
        """Add the theme's static files to ``files``, as ``Files.add_files_from_theme`` does."""
        dirs = tuple(config.theme.dirs)
        own = [d for d in dirs if not os.path.realpath(d).startswith(_PACKAGES)]
        key = (dirs, config.site_dir, config.use_directory_urls,
               tuple(sorted(config.theme.static_templates)),
               tuple(tree_signature(Path(d)) for d in own))
        if key != self._key:
            listed = Files([])
            self._original(listed, env, config)
            self._found = [(f.src_uri, f.src_dir) for f in listed if f.src_dir is not None]
            self._key = key
            TIMELINE.mark("theme files listed")
        else:
            config.theme.static_templates.difference_update(ONCE_TEMPLATES)
        steady = []
        for src_uri, src_dir in self._found:
            if files.get_file_from_path(src_uri) is None:
                file = File(src_uri, src_dir, config.site_dir, config.use_directory_urls)
                files.append(file)
                if self._gate is not None and not file.is_modified():
                    steady.append(file.dest_uri)
        if self._gate is not None:
            self._gate.theme = frozenset(steady)


@contextlib.contextmanager
def listing_theme_once(gate: WriteGate | None = None) -> Iterator[None]:
    """While serving, let MkDocs list the theme's files once (see :class:`ThemeListing`).

    ``gate`` learns which of them the build does not copy again.
    """
    original = Files.add_files_from_theme
    listing = ThemeListing(original, gate)

    def add_files_from_theme(files: Files, env: Any, config: MkDocsConfig) -> None:
        listing.add_files(files, env, config)

    Files.add_files_from_theme = add_files_from_theme  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        Files.add_files_from_theme = original  # type: ignore[method-assign]


class _DirtyNotice(logging.Filter):
    """Drop MkDocs' warning about ``dirty`` builds: the plugin tells MkDocs what changed."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "'dirty' build" not in record.getMessage()


def settle_heap() -> None:
    """After the first build: collect its garbage, then leave what it keeps out of later collections.

    The first build keeps millions of objects (every brief, page and file); Python's full
    collections would go through them all, some hundred milliseconds in a rebuild every
    few saves. Frozen, they are skipped (they are still freed when no longer referenced;
    only their reference cycles, if any, are never collected).
    """
    gc.collect()
    gc.freeze()


def _builder(get_config: Callable[[], MkDocsConfig], serve_url: str,
             gate: WriteGate | None = None) -> Callable[[MkDocsConfig | None], None]:
    """Return the rebuild function: a failure is logged in one line, the old site stays served."""
    first = threading.Event()

    def rebuild(config: MkDocsConfig | None = None) -> None:
        if gate is not None:
            gate.building()
        try:
            if config is None:
                log.info("Building documentation...")
                config = get_config()
            build(config, serve_url=serve_url, dirty=True)
            if not first.is_set():
                settle_heap()
        except Exception as exc:
            if not first.is_set():
                raise
            log.debug("the rebuild failed", exc_info=True)
            log.error("the rebuild failed (%s: %s); the preview shows the last site that "
                      "built: fix the file and save it again", type(exc).__name__, exc)
        finally:
            first.set()
            if gate is not None:
                gate.done()
            TIMELINE.finish("build done")
    return rebuild


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
    site_dir = tempfile.mkdtemp(prefix="briefs-serve-")
    gate = WriteGate()
    try:
        with mkdocs_logging(progress=True), listing_theme_once(gate):  # "Serving on ...", rebuilds
            _run(str(config_file), site_dir, dev_addr, plugins, gate)
    except KeyboardInterrupt:
        pass
    except Exception as exc:  # MkDocs' Abort on a broken configuration
        raise BriefsError(f"the preview could not start: {exc}") from exc
    finally:
        build_log.removeFilter(notice)
        shutil.rmtree(site_dir, ignore_errors=True)


def _run(config_file: str, site_dir: str, dev_addr: str, plugins: dict[str, Any],
         gate: WriteGate) -> None:
    """Build, then serve and rebuild on every save (MkDocs' ``serve`` with our server)."""
    def get_config() -> MkDocsConfig:
        config = load_config(config_file=config_file, site_dir=site_dir, dev_addr=dev_addr,
                             plugins=plugins)
        config.site_url = serve_url
        return config

    config = load_config(config_file=config_file, site_dir=site_dir, dev_addr=dev_addr,
                         plugins=plugins)
    config.plugins.on_startup(command="serve", dirty=True)
    host, port = config.dev_addr
    mount_path = urlsplit(config.site_url or "/").path
    config.site_url = serve_url = _serve_url(host, port, mount_path)
    builder = _builder(get_config, serve_url, gate)
    server = PreviewServer(builder=builder, host=host, port=port, root=site_dir,
                           mount_path=mount_path, gate=gate)

    def error_page(code: int) -> bytes | None:
        page = os.path.join(site_dir, f"{code}.html")
        if code in (404, 500) and os.path.isfile(page):
            with open(page, "rb") as handle:
                return handle.read()
        return None

    server.error_handler = error_page
    try:
        log.info("Building documentation...")
        builder(config)
        server.watch(config.docs_dir)
        if config.config_file_path:
            server.watch(config.config_file_path)
        config.plugins.on_serve(server, config=config, builder=builder)
        for item in config.watch:
            server.watch(item)
        try:
            server.serve()
        except KeyboardInterrupt:
            log.info("Shutting down...")
        finally:
            server.shutdown()
    finally:
        config.plugins.on_shutdown()
