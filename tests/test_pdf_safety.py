"""The PDF renderer reads only the brief's folder and the theme, and never the network.

Each forbidden reference is rendered for real; a local HTTP listener counts requests (none
allowed) and an audit hook records every file this process opens (the target never).
"""

from __future__ import annotations

import base64
import http.server
import os
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

from site_builder.model import Brief, BriefDate, Corpus, Theme
from site_builder.pdf import render_all
from site_builder.pdf.build import make_job
from site_builder.pdf.fetcher import RefusedURL, SafeFetcher
from site_builder.pdf.html import brief_html
from site_builder.pdf.render import render_job
from site_builder.settings import Settings
from site_builder.vocabulary import get_country

_OPENED: list[str] = []
_RECORDING = threading.Event()


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if event == "open" and _RECORDING.is_set() and isinstance(args[0], str | bytes | os.PathLike):
        _OPENED.append(os.fsdecode(args[0]))


sys.addaudithook(_audit)

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")


class _Counter(http.server.BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.end_headers()
        self.wfile.write(PNG)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def listener() -> Iterator[tuple[str, list[str]]]:
    """A local HTTP server that counts requests: yields its base URL and the hit list."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Counter)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.server_address[1]}", _Counter.hits
    server.shutdown()


@pytest.fixture
def project(tmp_path: Path) -> dict[str, Any]:
    """A project with a brief folder, an image beside the brief and a secret file outside."""
    folder = tmp_path / "briefs" / "moz"
    (folder / "img").mkdir(parents=True)
    (folder / "img" / "ok.png").write_bytes(PNG)
    (folder / "moz-x.md").write_text("---\ntitle: x\n---\n", encoding="utf-8")
    secret = tmp_path / "secret.png"
    secret.write_bytes(PNG)
    (folder / "img" / "link.png").symlink_to("/etc/passwd")
    (folder / "img" / "inside.png").symlink_to(folder / "img" / "ok.png")
    return {"root": tmp_path, "folder": folder, "secret": secret,
            "settings": Settings(project_dir=tmp_path, site_url="https://briefs.example.org/")}


def make_brief(project: dict[str, Any], body: str) -> tuple[Brief, Corpus]:
    """Return an (unvalidated) brief with this body, and a corpus holding it."""
    path = project["folder"] / "moz-x.md"
    health = Theme("health", "Health")
    brief = Brief(slug="moz-x", path=path, rel_path="briefs/moz/moz-x.md",
                  root=project["root"] / "briefs", title="X", countries=(get_country("MOZ"),),
                  themes=(health,), date=BriefDate.parse("2020-01-01"), summary="S.",
                  body=body, body_line=5)
    corpus = Corpus(root=project["root"] / "briefs", briefs=[brief], themes={"health": health})
    return brief, corpus


def render_raw(project: dict[str, Any], fragment: str, head: str = "") -> Any:
    """Render the brief's HTML with a raw fragment spliced in, bypassing the sanitizer."""
    brief, corpus = make_brief(project, "Text.")
    html = brief_html(brief, corpus, project["settings"])
    html = html.replace("</head>", head + "</head>").replace("<p>Text.</p>", fragment)
    job = make_job(brief, html, project["settings"])
    _OPENED.clear()
    _RECORDING.set()
    try:
        return render_job(job)
    finally:
        _RECORDING.clear()


FORBIDDEN = {
    "etc-passwd-img": ('<img alt="a" src="file:///etc/passwd">', "", "file:///etc/passwd", "/etc/passwd"),
    "dot-dot": ('<img alt="a" src="../../secret.png">', "", "secret.png", "SECRET"),
    "dev-zero": ('<img alt="a" src="file:///dev/zero">', "", "file:///dev/zero", "/dev/zero"),
    "symlink-out": ('<img alt="a" src="img/link.png">', "", "img/link.png", "LINK"),
    "http-img": ('<img alt="a" src="http://HOST/a.png">', "", "http://HOST/a.png", None),
    "https-img": ('<img alt="a" src="https://HOST/b.png">', "", "https://HOST/b.png", None),
    "http-css": ("", '<link rel="stylesheet" href="http://HOST/c.css">', "http://HOST/c.css", None),
    "css-import": ("", '<style>@import url("http://HOST/d.css");</style>', "http://HOST/d.css", None),
    "attachment-http": ("", '<link rel="attachment" href="http://HOST/e.txt">', "http://HOST/e.txt", None),
    "attachment-file": ("", '<link rel="attachment" href="file:///etc/passwd">', "file:///etc/passwd", "/etc/passwd"),
    "style-url": ("<p style=\"background: url('file:///etc/passwd')\">x</p>", "", "file:///etc/passwd", "/etc/passwd"),
    "font-face": ("", "<style>@font-face { font-family: X; src: url(http://HOST/f.ttf) } "
                  "p { font-family: X }</style>", "http://HOST/f.ttf", None),
    "object": ('<object data="http://HOST/g.png" type="image/png"></object>', "", "http://HOST/g.png", None),
}


@pytest.mark.parametrize("case", sorted(FORBIDDEN))
def test_forbidden_reference_is_refused_unread(case: str, project: dict[str, Any],
                                               listener: tuple[str, list[str]]) -> None:
    host, hits = listener
    fragment, head, shown, target = (x.replace("HOST", host) if isinstance(x, str) else x
                                     for x in FORBIDDEN[case])
    before = len(hits)
    result = render_raw(project, fragment, head)
    assert result.pdf is None
    assert any(code == "pdf-resource" and shown in message for code, message in result.problems), result.problems
    assert len(hits) == before, "a request reached the network listener"
    if target is not None:
        paths = {"SECRET": [str(project["secret"])],
                 "LINK": ["/etc/passwd", str(project["folder"] / "img" / "link.png")]}
        for path in paths.get(target, [target]):
            assert path not in _OPENED


def test_brief_folder_images_symlinks_inside_and_data_urls_are_allowed(project: dict[str, Any]) -> None:
    data = "data:image/png;base64," + base64.b64encode(PNG).decode()
    result = render_raw(project, f'<img alt="a" src="img/ok.png"><img alt="b" src="img/inside.png">'
                                 f'<img alt="c" src="{data}">')
    assert result.problems == [] and result.pdf and result.pages == 4


def test_markdown_reference_fails_the_brief_by_name(project: dict[str, Any],
                                                     listener: tuple[str, list[str]]) -> None:
    host, hits = listener
    before = len(hits)
    _, corpus = make_brief(project, f"![Remote](http://{host}/r.png)\n\n![Gone](img/missing.png)\n\n"
                                        "![Up](../../../../etc/passwd)\n")
    report = render_all(corpus, project["settings"], None, jobs=1)
    assert report.results == {} and len(hits) == before
    findings = [f for f in report.findings if f.code != "pdf-underfill"]
    messages = [f.message for f in findings]
    assert all(f.path == "briefs/moz/moz-x.md" and f.code == "pdf-resource" for f in findings)
    assert any(f"http://{host}/r.png" in m for m in messages)
    assert any("'img/missing.png': no such file" in m for m in messages)
    assert any("/etc/passwd" in m for m in messages)
    assert all("moz-x" in m for m in messages)


def test_weasyprint_errors_fail_the_brief(project: dict[str, Any]) -> None:
    result = render_raw(project, '<img alt="broken" src="data:image/png;base64,AAAA">')
    assert result.pdf is None
    assert any(code == "pdf-resource" and "Failed to load image" in message
               for code, message in result.problems), result.problems


def test_fetcher_refuses_without_opening(project: dict[str, Any], listener: tuple[str, list[str]]) -> None:
    host, hits = listener
    before = len(hits)
    fetcher = SafeFetcher([project["folder"], *project["settings"].theme.roots])
    for url in ("file:///etc/passwd", "file:///dev/zero", f"http://{host}/x", "ftp://example.org/x",
                f"file://{project['secret']}", "file://otherhost/etc/passwd",
                (project["folder"] / "img" / "link.png").as_uri(), (project["folder"] / "img").as_uri()):
        with pytest.raises(RefusedURL):
            fetcher.fetch(url)
    assert len(hits) == before
    assert len(fetcher.refused) == 8
    assert fetcher.fetch((project["folder"] / "img" / "ok.png").as_uri()).read() == PNG


def test_fonts_installed_on_the_machine_are_never_used(project: dict[str, Any]) -> None:
    """A font family the machine has (DejaVu on most Linux systems) is invisible to the render."""
    from test_pdf import fonts

    fragment = ('<p style="font-family: \'DejaVu Sans\', \'Liberation Sans\', Arial, sans-serif">'
                "Machine fonts?</p>")
    result = render_raw(project, fragment)
    assert result.problems == [] and result.pdf
    path = project["root"] / "out.pdf"
    path.write_bytes(result.pdf)
    assert {name.split("+")[1] for name, _, _ in fonts(path)} <= {
        "Noto-Sans-Brief", "Noto-Sans-Brief-Bold", "Noto-Serif-Brief"}


def test_references_inside_an_svg_image_are_refused(project: dict[str, Any],
                                                     listener: tuple[str, list[str]]) -> None:
    """An SVG of the brief's folder is read, but nothing it points to outside is."""
    host, hits = listener
    before = len(hits)
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
           'width="100" height="100"><rect width="50" height="50"/>{}</svg>')
    images = {"remote.svg": f'<image href="http://{host}/svg.png" width="9" height="9"/>',
              "local.svg": '<image xlink:href="file:///etc/passwd" width="9" height="9"/>',
              "sheet.svg": f"<style>@import url(http://{host}/svg.css);</style>"}
    for name, inner in images.items():
        (project["folder"] / "img" / name).write_text(svg.format(inner), encoding="utf-8")
    result = render_raw(project, "".join(f'<img alt="{n}" src="img/{n}">' for n in images))
    assert result.pdf is None and len(hits) == before and "/etc/passwd" not in _OPENED
    messages = "\n".join(message for _, message in result.problems)
    assert f"refused 'http://{host}/svg.png'" in messages
    assert "refused 'file:///etc/passwd'" in messages
    assert "Failed to load image at 'img/sheet.svg': unreadable" in messages
