"""Writing files so that a crash or Ctrl-C never leaves a half-written one."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path

from .errors import OutputError

_SAFE = re.compile(r"[^a-z0-9]+")


# Letters that do not decompose into an ASCII letter and accents: German spells its umlauts
# out in ids and addresses (Kulturförderung → kulturfoerderung), Polish ł is l, and Cyrillic
# (Київ, Донецьк) is written in the common Latin transliteration.
_LATIN = str.maketrans(
    {
        "ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ł": "l", "ø": "o", "æ": "ae", "œ": "oe",
        "đ": "d", "ð": "d", "þ": "th", "ı": "i",
        "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": "ie",
        "ё": "e", "ж": "zh", "з": "z", "и": "y", "і": "i", "ї": "i", "й": "i", "к": "k",
        "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
        "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "",
        "ы": "y", "ь": "", "э": "e", "ю": "iu", "я": "ia",
    }
)  # fmt: skip


def slug(text: str) -> str:
    """A safe file-name and anchor part: lower-case ASCII letters, digits and hyphens
    (``Visit to Łódź`` → ``visit-to-lodz``)."""
    import unicodedata

    latin = unicodedata.normalize("NFKD", text.lower().translate(_LATIN))
    plain = "".join(c for c in latin if not unicodedata.combining(c))
    value = _SAFE.sub("-", plain.translate(_LATIN)).strip("-")
    return value[:80] or "x"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


Data = bytes | str | Iterable[bytes]


def _chunks(data: Data) -> Iterable[bytes]:
    if isinstance(data, str):
        return (data.encode("utf-8"),)
    if isinstance(data, bytes):
        return (data,)
    return data


def _same_content(path: Path, size: int, digest: bytes) -> bool:
    try:
        if path.stat().st_size != size:
            return False
        with path.open("rb") as handle:
            return hashlib.file_digest(handle, "sha256").digest() == digest
    except OSError:
        return False


def _writable(path: Path) -> bool:
    # Root may write anything: a file without any write permission is still meant to stay.
    return os.access(path, os.W_OK) and bool(path.stat().st_mode & 0o222)


def atomic_write(
    path: str | os.PathLike[str], data: Data, *, only_if_changed: bool = False
) -> bool:
    """Write ``data`` (bytes, text, or chunks of bytes) to ``path``: into a temporary file in
    the same folder, fsync, then rename over the target.  With ``only_if_changed``, a file that
    already holds exactly these bytes is left alone.  Returns True when the file was replaced."""
    target = Path(path)
    if target.is_symlink():  # the file it points to is the one to change, the link stays
        target = Path(os.path.realpath(target))
    folder = target.parent
    if target.is_file() and not _writable(target):
        raise OutputError(f"cannot write {target}: it is read-only")
    if not folder.is_dir():
        raise OutputError(f"cannot write {target}: the folder {folder} does not exist")
    if target.is_dir():
        raise OutputError(f"cannot write {target}: it is a folder")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from None
    try:
        digest = hashlib.sha256()
        size = 0
        with os.fdopen(fd, "wb") as handle:
            for chunk in _chunks(data):
                handle.write(chunk)
                digest.update(chunk)
                size += len(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        if only_if_changed and _same_content(target, size, digest.digest()):
            os.unlink(tmp)
            return False
        mode = target.stat().st_mode & 0o777 if target.exists() else 0o666 & ~_umask()
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from None
        raise
    if hasattr(os, "O_DIRECTORY"):  # make the rename itself durable (POSIX)
        with contextlib.suppress(OSError):
            dir_fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
    return True


def write_if_changed(path: str | os.PathLike[str], data: Data) -> bool:
    """Atomically write ``data`` unless the file already holds exactly it; True if written."""
    return atomic_write(path, data, only_if_changed=True)


def write_creating(path: str | os.PathLike[str], data: Data) -> None:
    """Atomically write ``data``, creating the folders it needs."""
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create {target.parent}: {exc.strerror or exc}") from None
    atomic_write(target, data)


def add_line(path: str | os.PathLike[str], line: str) -> bool:
    """Add ``line`` to the end of a text file (created if missing) unless it is there;
    True when the file changed.  The rest of the file stays as it was."""
    target = Path(path)
    try:
        existing = target.read_text(encoding="utf-8") if target.is_file() else ""
    except (OSError, UnicodeDecodeError) as exc:
        raise OutputError(f"cannot read {target}: {exc}") from None
    if line in existing.splitlines():
        return False
    separator = "" if not existing or existing.endswith("\n") else "\n"
    write_creating(target, f"{existing}{separator}{line}\n")
    return True


def inside(folder: Path, name: str) -> Path:
    """``folder / name``, refusing any name that would land outside ``folder``."""
    if not name or name != Path(name).name or name in (".", "..") or "\\" in name:
        raise OutputError(f"refusing to write {name!r}: not a plain file name")
    path = folder / name
    if path.resolve().parent != folder.resolve():
        raise OutputError(f"refusing to write {name!r} outside {folder}")
    return path
