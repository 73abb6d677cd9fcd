"""What a brief PDF shows from the site configuration: logo, partners, contacts, QR code.

The logo and partner logos live in the project (``pdf.logo``, ``pdf.partners``), outside
the folders the PDF fetcher may read, so they reach the HTML as ``data:`` URLs. The QR
code of a brief's web page is a vector SVG made with segno, also a ``data:`` URL.
:func:`branding_digest` hashes all of it for the PDF cache key.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import mimetypes
from dataclasses import asdict, dataclass
from pathlib import Path

import segno

from site_builder.settings import Settings


@dataclass(frozen=True)
class PartnerLogo:
    """A partner on the back page: its name and its logo as a ``data:`` URL (or empty)."""

    name: str
    logo: str


def data_url(path: Path) -> str:
    """Return a file's content as a ``data:`` URL (the type from its suffix)."""
    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode()}"


def logo_url(settings: Settings) -> str:
    """Return the masthead logo as a ``data:`` URL, or an empty string when there is none."""
    return data_url(settings.project_dir / settings.pdf.logo) if settings.pdf.logo else ""


def partner_logos(settings: Settings) -> list[PartnerLogo]:
    """Return the back page's partners, their logos as ``data:`` URLs."""
    return [PartnerLogo(p.name, data_url(settings.project_dir / p.logo) if p.logo else "")
            for p in settings.pdf.partners]


def qr_code_url(url: str, dark: str = "#000") -> str:
    """Return a QR code of ``url`` as a vector SVG ``data:`` URL (medium error correction)."""
    buffer = io.BytesIO()
    segno.make(url, error="m", micro=False).save(
        buffer, kind="svg", scale=1, border=4, dark=dark, light=None, xmldecl=False,
        svgns=True, nl=False, omitsize=True)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


def branding_digest(settings: Settings) -> str:
    """Return a hash of the branding options and the bytes of the files they name."""
    pdf = settings.pdf
    digest = hashlib.sha256(json.dumps(
        [pdf.logo, pdf.about, list(pdf.contacts), [asdict(p) for p in pdf.partners],
         segno.__version__]).encode())
    for name in [pdf.logo, *(p.logo for p in pdf.partners)]:
        if name:
            digest.update(hashlib.sha256((settings.project_dir / name).read_bytes()).digest())
    return digest.hexdigest()
