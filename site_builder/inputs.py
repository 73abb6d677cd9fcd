"""Read contributors' files without hanging or crashing on what is not a plain file.

A FIFO named ``x.md`` would block ``open()`` forever, a device could be read without end,
and links can loop or point nowhere. Every input file (brief, vocabulary, bundle file) is
checked with ``os.stat`` first, opened with ``O_NONBLOCK`` (so a FIFO swapped in after the
check still cannot block) and checked again on the open descriptor, then read up to a limit.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from site_builder.findings import Finding, Severity


@dataclass
class InputFileError(Exception):
    """An input path that cannot be read as a file; ``special`` for FIFOs, sockets, devices."""

    message: str
    code: str
    special: bool = False

    def __str__(self) -> str:
        return self.message

    def finding(self, shown: str, severity: Severity = Severity.ERROR) -> Finding:
        """Return this problem as a finding at the file (line 1, column 1)."""
        return Finding(shown, 1, 1, self.message, self.code, severity)

    def brief_finding(self, shown: str) -> Finding:
        """Return this problem for a file found among the briefs: special files are skipped
        with a warning, the rest are errors."""
        if self.special:
            return Finding(shown, 1, 1, f"{self.message}: skipped", self.code, Severity.WARNING)
        return self.finding(shown)


_KINDS = ((stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISSOCK, "a socket"),
          (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"))


def _kind(mode: int) -> str:
    for test, name in _KINDS:
        if test(mode):
            return name
    return "not a regular file"


def _stat_error(path: Path, exc: OSError) -> InputFileError:
    if exc.errno == errno.ELOOP:
        return InputFileError("this link leads round in a loop (it points back to itself "
                              "through other links): fix or remove it", "bad-link")
    if isinstance(exc, FileNotFoundError) and path.is_symlink():
        return InputFileError(f"this link points to '{os.readlink(path)}', which does not "
                              "exist: fix or remove it", "bad-link")
    if isinstance(exc, FileNotFoundError):
        return InputFileError("file not found", "unreadable")
    if isinstance(exc, PermissionError):
        return InputFileError("cannot be read: permission denied", "unreadable")
    return InputFileError(f"cannot be read: {exc.strerror or exc}", "unreadable")


def check_regular(path: Path) -> None:
    """Raise :class:`InputFileError` unless ``path`` (links followed) is a regular file."""
    try:
        mode = os.stat(path).st_mode
    except OSError as exc:
        raise _stat_error(path, exc) from None
    if stat.S_ISDIR(mode):
        raise InputFileError("is a folder, not a file", "not-a-file")
    if not stat.S_ISREG(mode):
        raise InputFileError(f"is {_kind(mode)}, not a regular file", "special-file",
                             special=True)


def read_bytes(path: Path, limit: int, checked: bool = False) -> bytes:
    """Return up to ``limit + 1`` bytes of a regular file (more than ``limit`` means too large).

    Raises :class:`InputFileError` for anything that is not a readable regular file.
    ``checked``: :func:`check_regular` has just passed (the open descriptor is checked anyway).
    """
    if not checked:
        check_regular(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        raise _stat_error(path, exc) from None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise InputFileError(f"is {_kind(mode)}, not a regular file", "special-file",
                                 special=True)
        chunks: list[bytes] = []
        size = 0
        while size <= limit and (chunk := os.read(fd, limit + 1 - size)):
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)
    except OSError as exc:
        raise _stat_error(path, exc) from None
    finally:
        os.close(fd)


def decode_utf8(raw: bytes) -> tuple[str | None, tuple[int, int, str] | None]:
    """Decode UTF-8 (a BOM dropped, line endings made ``\\n``); on failure return the
    (line, col, message) of the first bad byte instead of the text."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return None, (line, col, f"file is not UTF-8 (byte 0x{raw[exc.start]:02x}): save it "
                      "as UTF-8")
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, None
