"""Writing files so that a crash, Ctrl-C or kill -9 never leaves a half-written one, and
folders of files (a feed set, the yearly reports) that change in one step."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .errors import OutputError

# POSIX: advisory locks tell a live writer's files from those of a killed one.  Windows has
# none, and needs none there: a file that a live process holds open cannot be removed.
_flock: Callable[[int, int], None] | None
try:
    import fcntl

    _flock = fcntl.flock
    _EXCLUSIVE, _NOW = fcntl.LOCK_EX, fcntl.LOCK_NB
except ImportError:
    _flock = None
    _EXCLUSIVE = _NOW = 0

_SAFE = re.compile(r"[^a-z0-9]+")
# Paths that stand for a stream rather than a file: /dev/stdout, /dev/fd/3, /proc/self/fd/1.
_STREAM_FOLDERS = ("/dev/", "/proc/")

# Letters that do not decompose into an ASCII letter and accents: German spells its umlauts
# out in ids and addresses (Kulturförderung → kulturfoerderung), Polish ł is l, and Cyrillic
# (Київ, Донецьк) and Greek (Αθήνα) are written in the common Latin transliterations.
_LATIN = str.maketrans(
    {
        "ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ł": "l", "ø": "o", "æ": "ae", "œ": "oe",
        "đ": "d", "ð": "d", "þ": "th", "ı": "i",
        "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": "ie",
        "ё": "e", "ж": "zh", "з": "z", "и": "y", "і": "i", "ї": "i", "й": "i", "к": "k",
        "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
        "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "",
        "ы": "y", "ь": "", "э": "e", "ю": "iu", "я": "ia",
        "α": "a", "β": "v", "γ": "g", "δ": "d", "ε": "e", "ζ": "z", "η": "i", "θ": "th",
        "ι": "i", "κ": "k", "λ": "l", "μ": "m", "ν": "n", "ξ": "x", "ο": "o", "π": "p",
        "ρ": "r", "σ": "s", "ς": "s", "τ": "t", "υ": "y", "φ": "f", "χ": "ch", "ψ": "ps",
        "ω": "o",
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


def _fail(target: Path, exc: OSError) -> OutputError:
    return OutputError(f"cannot write {target}: {exc.strerror or exc}")


def _fsync_folder(folder: Path) -> None:
    if hasattr(os, "O_DIRECTORY"):  # make renames durable (POSIX)
        with contextlib.suppress(OSError):
            dir_fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)


# --- temporary files, and those that killed runs left behind ---------------------------------


def _abandoned(path: Path) -> bool:
    """True if no live process is writing ``path`` (see `locked_temporary`)."""
    if _flock is None:
        return True
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | os.O_NONBLOCK)
    except OSError:
        return False
    try:
        _flock(fd, _EXCLUSIVE | _NOW)
    except OSError:
        return False
    finally:
        os.close(fd)
    return True


def remove_abandoned(folder: Path, match: Callable[[str], bool]) -> int:
    """Remove the temporary files of killed runs in ``folder`` whose names ``match``."""
    removed = 0
    with contextlib.suppress(OSError):
        for entry in os.scandir(folder):
            if match(entry.name) and entry.is_file(follow_symlinks=False):
                path = Path(entry.path)
                if _abandoned(path):
                    with contextlib.suppress(OSError):
                        path.unlink()
                        removed += 1
    return removed


def locked_temporary(folder: Path, prefix: str, suffix: str) -> tuple[int, Path]:
    """A new temporary file, locked for as long as it is open (see `_abandoned`)."""
    while True:
        fd, name = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=folder)
        if _flock is None:
            return fd, Path(name)
        _flock(fd, _EXCLUSIVE)
        try:
            # A sweeper may have taken it for abandoned between its creation and the lock.
            if os.stat(name).st_ino == os.fstat(fd).st_ino:
                return fd, Path(name)
        except FileNotFoundError:
            pass
        os.close(fd)


def _write_fd(fd: int, data: Data) -> tuple[int, bytes]:
    """Write and fsync; return the size and SHA-256.  Closes ``fd``."""
    digest = hashlib.sha256()
    size = 0
    with os.fdopen(fd, "wb") as handle:
        for chunk in _chunks(data):
            handle.write(chunk)
            digest.update(chunk)
            size += len(chunk)
        handle.flush()
        os.fsync(handle.fileno())
    return size, digest.digest()


# --- one file -----------------------------------------------------------------------------------


def _is_stream(target: Path, mode: int) -> bool:
    if stat.S_ISFIFO(mode) or stat.S_ISCHR(mode):
        return True
    # /dev/stdout when the shell sends it to a file: write into what the shell opened.
    return str(target.absolute()).startswith(_STREAM_FOLDERS) and target.is_symlink()


def _stream(target: Path, data: Data) -> None:
    flags = os.O_WRONLY | os.O_APPEND | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
    try:
        with os.fdopen(os.open(target, flags), "wb") as handle:
            for chunk in _chunks(data):
                handle.write(chunk)
    except OSError as exc:
        raise _fail(target, exc) from None


def atomic_write(
    path: str | os.PathLike[str], data: Data, *, only_if_changed: bool = False
) -> bool:
    """Write ``data`` (bytes, text, or chunks of bytes) to ``path``: into a temporary file in
    the same folder, fsync, then rename over the target.  With ``only_if_changed``, a file that
    already holds exactly these bytes is left alone.  Returns True when the file was written.

    A link to a file is followed (the link stays); a stream (a pipe, a terminal, /dev/stdout,
    /dev/null) is written as a stream; anything else that is not a regular file is refused.
    Temporary files that killed runs left beside the target are removed."""
    target = Path(path)
    try:
        mode: int | None = os.stat(target).st_mode
    except FileNotFoundError:
        if target.is_symlink():
            raise OutputError(f"cannot write {target}: it is a link to nothing") from None
        mode = None
    except OSError as exc:
        raise _fail(target, exc) from None
    if mode is not None:
        if stat.S_ISDIR(mode):
            raise OutputError(f"cannot write {target}: it is a folder")
        if _is_stream(target, mode):
            _stream(target, data)
            return True
        if not stat.S_ISREG(mode):
            raise OutputError(f"cannot write {target}: it is not a regular file")
        target = target.resolve()  # a link to a file: replace the file, keep the link
        if not (os.access(target, os.W_OK) and mode & 0o222):  # (root may write anything)
            raise OutputError(f"cannot write {target}: it is read-only")
    folder = target.parent
    if not folder.is_dir():
        raise OutputError(f"cannot write {target}: the folder {folder} does not exist")
    prefix = f".{target.name}."
    remove_abandoned(folder, lambda name: name.startswith(prefix) and name.endswith(".tmp"))
    try:
        fd, tmp = locked_temporary(folder, prefix, ".tmp")
    except OSError as exc:
        raise _fail(target, exc) from None
    try:
        size, digest = _write_fd(fd, data)
        if only_if_changed and _same_content(target, size, digest):
            tmp.unlink()
            return False
        os.chmod(tmp, stat.S_IMODE(mode) if mode is not None else 0o666 & ~_umask())
        os.replace(tmp, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if isinstance(exc, OSError):
            raise _fail(target, exc) from None
        raise
    _fsync_folder(folder)
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


# --- a folder of files, in one step -----------------------------------------------------------
#
# The files of a run are written into a staging folder inside the target folder (the slow
# part; a run killed here leaves the previous files untouched).  Then a plan is written there
# and fsynced: that is the commit.  Applying it is a few renames; a run killed during them is
# completed by the next run that writes the folder.  A manifest lists the files the runs wrote,
# so that only those are ever removed.

MANIFEST = ".ruhrtimeline-manifest.json"
_STAGING = ".ruhrtimeline-staging-"
_PLAN = ".plan.json"


@dataclass(frozen=True)
class Published:
    """What a run did to a folder: its files (in the order given), those of them that were
    written (the others were unchanged), and the files of earlier runs it removed."""

    files: list[str]
    written: list[str]
    removed: list[str]


def owned_files(folder: Path) -> set[str]:
    """The names that earlier runs wrote into ``folder`` (from its manifest)."""
    try:
        names = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return set()  # no manifest, or not ours: own nothing, so remove nothing
    return {n for n in names if isinstance(n, str)}


def _make_folder(folder: Path) -> None:
    if folder.is_dir():
        return
    if folder.exists():
        raise OutputError(f"{folder} is not a folder")
    try:
        folder.mkdir(parents=True)
    except OSError as exc:
        raise OutputError(f"cannot create {folder}: {exc.strerror or exc}") from None


@contextlib.contextmanager
def _only_writer(folder: Path) -> Iterator[None]:
    """Hold the folder for this run; a second run at the same time is refused."""
    if _flock is None or not hasattr(os, "O_DIRECTORY"):
        yield
        return
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        try:
            _flock(fd, _EXCLUSIVE | _NOW)
        except OSError:
            raise OutputError(
                f"another run is writing {folder}; try again when it has finished"
            ) from None
        yield
    finally:
        os.close(fd)


def _apply(folder: Path, staging: Path, plan: dict[str, list[str]]) -> None:
    """Carry out a committed plan (again, if a killed run had begun it)."""
    for name in plan["rename"]:
        source = staging / name
        if source.exists():
            os.replace(source, inside(folder, name))
    for name in plan["remove"]:
        with contextlib.suppress(FileNotFoundError):
            inside(folder, name).unlink()
    write_if_changed(folder / MANIFEST, json.dumps({"files": plan["files"]}, indent=1) + "\n")
    shutil.rmtree(staging, ignore_errors=True)
    _fsync_folder(folder)


def _plan(staging: Path) -> dict[str, list[str]] | None:
    """The committed plan of a staging folder; None if its run was killed before the commit
    (no plan, or one cut short)."""
    try:
        plan = json.loads((staging / _PLAN).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(plan, dict) or not all(
        isinstance(plan.get(key), list) and all(isinstance(n, str) for n in plan[key])
        for key in ("rename", "remove", "files")
    ):
        return None
    return plan


def recover(folder: Path) -> None:
    """Finish what a killed run committed; forget what it had not."""
    with contextlib.suppress(FileNotFoundError):
        for entry in sorted(os.scandir(folder), key=lambda e: e.name):
            if entry.name.startswith(_STAGING) and entry.is_dir(follow_symlinks=False):
                staging = Path(entry.path)
                plan = _plan(staging)
                if plan is None:
                    shutil.rmtree(staging, ignore_errors=True)
                else:
                    _apply(folder, staging, plan)


def publish_folder(
    folder: Path,
    files: Iterable[tuple[str, Data]],
    keep: Callable[[str], bool] = lambda name: False,
) -> Published:
    """Write ``files`` (name, content) into ``folder`` so that it changes in one step.

    Unchanged files are not rewritten.  Of the files that earlier runs wrote and this one does
    not, those that ``keep`` (given a name) still wants stay; the others are removed.  Files
    that no run wrote are never touched."""
    _make_folder(folder)
    try:
        with _only_writer(folder):
            recover(folder)
            return _publish(folder, files, keep)
    except OSError as exc:
        raise OutputError(f"cannot write into {folder}: {exc.strerror or exc}") from None


def _publish(
    folder: Path, files: Iterable[tuple[str, Data]], keep: Callable[[str], bool]
) -> Published:
    owned = owned_files(folder)
    staging = Path(tempfile.mkdtemp(prefix=_STAGING, dir=folder))
    try:
        names: list[str] = []
        written: list[str] = []
        for name, data in files:
            target = inside(folder, name)  # checked before anything is written
            staged = staging / name
            flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)
            size, digest = _write_fd(os.open(staged, flags, 0o666), data)
            names.append(name)
            if _same_content(target, size, digest):
                staged.unlink()
            else:
                with contextlib.suppress(OSError):
                    os.chmod(staged, stat.S_IMODE(target.stat().st_mode))  # keep its mode
                written.append(name)
        gone = sorted(name for name in owned - set(names) if not keep(name))
        kept = (owned - set(gone)) | set(names)
        plan = {"rename": written, "remove": gone, "files": sorted(kept)}
        fd = os.open(staging / _PLAN, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        _write_fd(fd, json.dumps(plan))
        _fsync_folder(staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _apply(folder, staging, plan)
    return Published(names, written, gone)
