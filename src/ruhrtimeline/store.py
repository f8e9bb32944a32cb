"""Find a store, load it through its cached index, and select its records.

The first load of a store validates it and writes an SQLite index to the user's cache folder
(keyed on the file's path; trusted only while its size, mtime and SHA-256 match).  Later loads
only hash the file and open the index, so a warm run imports neither PyYAML nor pydantic.
The cache is never required: when it cannot be written, the index lives in memory.  A cached
index that is damaged is discarded and rebuilt; `Store.cache_warning` says so (the library
never prints; the command line shows it as one warning line).

>>> from ruhrtimeline import EventFilter, load_store
>>> with load_store() as store:
...     [e.id for e in store.events(EventFilter.build(partners=["gzm"], year=2017))]
['gzm-founded-2017']
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path
from types import TracebackType

from . import __version__
from .errors import NotFound, Problem, StoreError
from .index import Index, IndexDamaged, IndexUnavailable, Shift, is_temporary
from .locations import bundled_store_path, cache_dir, resolve_store_path
from .positions import Layout, Span
from .query import EventFilter
from .records import Activity, Directory, Era, Event, Partner, StoreInfo, Topic

ENV_NO_CACHE = "RUHRTIMELINE_NO_CACHE"
_MANY_CHANGES = 200  # changes in one write beyond which the index is built anew
MAX_STORE_BYTES = 512 * 1024 * 1024
_EVERYTHING = EventFilter()


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """What identifies one version of a store file."""

    size: int
    mtime_ns: int
    sha256: str

    def meta(self) -> dict[str, str]:
        return {
            "size": str(self.size),
            "mtime_ns": str(self.mtime_ns),
            "sha256": self.sha256,
            "version": __version__,
        }


class Store:
    """A validated store, read through its index: typed records, selected by `EventFilter`.

    Use it as a context manager (or call `close`) to release the index."""

    def __init__(
        self,
        path: Path,
        index: Index,
        fingerprint: Fingerprint,
        *,
        cached: bool,
        cache_file: Path | None = None,
        cache_warning: str | None = None,
    ):
        self.path = path
        self.fingerprint = fingerprint
        self.cached = cached  # True when the index came from the cache (a warm load)
        self.cache_file = cache_file  # where the index is kept; None when it is in memory
        self.cache_warning = cache_warning  # why a damaged cached index was discarded
        self._index = index

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Store({str(self.path)!r}, events={self.count()})"

    def close(self) -> None:
        self._index.close()

    def reread(self, fingerprint: Fingerprint) -> None:
        """The file was rewritten (by `ruhrtimeline.edits`) as a whole: read and check it
        again, and index it anew."""
        self._index.close()
        fresh = load_store(self.path, use_cache=self.cache_file is not None, fresh=True)
        self._index, self.cache_file = fresh._index, fresh.cache_file
        self.fingerprint = fingerprint
        self.__dict__.pop("directory", None)  # partners and topics may have changed

    def follow(
        self,
        fingerprint: Fingerprint,
        shifts: Sequence[Shift],
        records: Sequence[tuple[Partner | Topic | Era | Event, Span]],
        layout: Layout,
    ) -> None:
        """The file was changed in places (by `ruhrtimeline.edits`): bring the index along
        (in memory, or on its cached file: closed first, since some systems cannot replace
        an open file), or read the file again where that cannot be done."""
        if len(shifts) > _MANY_CHANGES:  # moving every span again and again costs more
            self.reread(fingerprint)
            return
        if self.cache_file is None:
            self._index.update(shifts, records, layout, fingerprint.meta())
        else:
            self._index.close()
            try:
                Index.update_file(self.cache_file, shifts, records, layout, fingerprint.meta())
                reopened = Index.open(self.cache_file, fingerprint.meta())
            except (IndexUnavailable, IndexDamaged):
                reopened = None
            if reopened is None:
                with contextlib.suppress(OSError):
                    self.cache_file.unlink(missing_ok=True)
                self.reread(fingerprint)
                return
            self._index = reopened
        self.fingerprint = fingerprint
        self.__dict__.pop("directory", None)  # partners and topics may have changed

    @property
    def display_path(self) -> str:
        """The store's path for reports: the bundled store has one name on every machine."""
        if self.path.resolve() == bundled_store_path().resolve():
            return "ruhrtimeline:data/events.yaml"
        return self.path.as_posix()

    # --- events -------------------------------------------------------------------------

    def events(self, flt: EventFilter | None = None) -> list[Event]:
        """The selected events, sorted by the first day they cover, then by id."""
        return list(self.iter_events(flt))

    def iter_events(self, flt: EventFilter | None = None) -> Iterator[Event]:
        """The same, one at a time (a large store never sits in memory as records)."""
        return self._index.events(self.check(flt))

    def event(self, event_id: str) -> Event:
        """The event with this id; raises `NotFound` (naming close matches) if there is none."""
        found = self._index.event(event_id)
        if found is None:
            raise NotFound("event", event_id, self.event_ids())
        return found

    def event_ids(self, flt: EventFilter | None = None) -> list[str]:
        return self._index.event_ids(self.check(flt))

    def count(self, flt: EventFilter | None = None) -> int:
        return self._index.count(self.check(flt))

    def years(self, flt: EventFilter | None = None) -> list[int]:
        """Every year that some selected event covers, ascending."""
        return self._index.years(self.check(flt))

    def members(self, kind: str) -> dict[str, list[str]]:
        """Event ids by partner (``kind="partner"``) or topic, each in event order."""
        return self._index.members(kind)

    def span(self, kind: str, item_id: str) -> Span | None:
        """Where an event, partner, topic or era (``kind``) lies in the store's text."""
        return self._index.span(kind, item_id)

    def position(self, kind: str, item_id: str) -> int:
        """An item's place in its list in the file (0 first; -1 if it has none)."""
        return self._index.position(kind, item_id)

    def layout(self) -> Layout:
        """Where the store's lists lie in its text."""
        return self._index.layout()

    def warnings(self, today: date) -> list[Problem]:
        """What is allowed but probably wrong, as of ``today``: a text left untranslated, a
        planned event whose period has passed, an ``updated`` date in the future, a local
        time that happens twice (the clocks go back over it; the first is meant)."""
        found: list[Problem] = []
        positions = self._index.positions("event")

        def warn(event: Event, field: str, message: str) -> None:
            span = self.span("event", event.id)
            line, column = (span.line, span.column + 1) if span else (0, 0)
            where = f"events[{positions[event.id]}]{field}"
            found.append(Problem(str(self.path), line, column, where, message, event.id))

        for event in self.iter_events():
            for field, message in event.doubts(today):
                warn(event, f".{field}", message)
        return found

    def check(self, flt: EventFilter | None) -> EventFilter:
        """The filter, after checking that the store knows its partners and topics."""
        flt = flt or _EVERYTHING
        for kind, wanted, known in (
            ("partner", flt.partners, self.directory.partners),
            ("topic", flt.topics, self.directory.topics),
        ):
            for value in wanted:
                if value not in known:
                    raise NotFound(kind, value, list(known))
        return flt

    # --- partners, topics and eras --------------------------------------------------------

    @cached_property
    def directory(self) -> Directory:
        """Partners and topics by id, in store order (what renderers need to name them)."""
        return Directory(
            {p.id: p for p in self._index.partners()},
            {t.id: t for t in self._index.topics()},
            self._index.info(),
        )

    @property
    def info(self) -> StoreInfo:
        """The store's title and description."""
        return self.directory.info

    def partners(self) -> list[Partner]:
        return list(self.directory.partners.values())

    def topics(self) -> list[Topic]:
        return list(self.directory.topics.values())

    def partner(self, partner_id: str) -> Partner:
        """The partner with this id; raises `NotFound` if there is none."""
        found = self.directory.partners.get(partner_id.lower())
        if found is None:
            raise NotFound("partner", partner_id, list(self.directory.partners))
        return found

    def topic(self, topic_id: str) -> Topic:
        found = self.directory.topics.get(topic_id.lower())
        if found is None:
            raise NotFound("topic", topic_id, list(self.directory.topics))
        return found

    def eras(self) -> list[Era]:
        """Named periods (such as the Ruhr-Konferenz phases), in store order."""
        return self._index.eras()

    def partner_activity(self) -> dict[str, Activity]:
        """For each partner: its number of events and its first and last."""
        return self._index.activity("partner")

    def topic_activity(self) -> dict[str, Activity]:
        return self._index.activity("topic")


def read_store_bytes(path: Path) -> tuple[bytes, Fingerprint]:
    """Read the store file, or raise `StoreError` saying why it cannot be read."""
    try:
        with path.open("rb") as handle:
            stat = os.fstat(handle.fileno())
            if stat.st_size > MAX_STORE_BYTES:
                raise StoreError.single(
                    path, f"the file is larger than {MAX_STORE_BYTES // 2**20} MiB; split it"
                )
            data = handle.read(MAX_STORE_BYTES + 1)
    except IsADirectoryError:
        raise StoreError.single(path, "is a directory; give the path of the YAML file") from None
    except FileNotFoundError:
        raise StoreError.single(path, "no such file; check the path") from None
    except PermissionError:
        raise StoreError.single(path, "cannot be read: permission denied") from None
    except OSError as exc:
        if path.is_dir():
            raise StoreError.single(
                path, "is a directory; give the path of the YAML file"
            ) from None
        raise StoreError.single(path, f"cannot be read: {exc.strerror or exc}") from None
    return data, Fingerprint(stat.st_size, stat.st_mtime_ns, hashlib.sha256(data).hexdigest())


_CACHE_FILE = re.compile(r"store-[0-9a-f]{24}\.sqlite3")


def _cache_file(path: Path) -> Path:
    key = hashlib.sha256(os.fsencode(path.resolve())).hexdigest()[:24]
    return cache_dir() / f"store-{key}.sqlite3"


def _discard(cache: Path) -> None:
    """Remove a damaged index file (or link, or an empty folder in its place)."""
    with contextlib.suppress(OSError):
        if cache.is_dir() and not cache.is_symlink():
            cache.rmdir()  # a folder with something in it stays; the index then lives in memory
        else:
            cache.unlink()


def _open_cached(cache: Path, path: Path) -> tuple[Index, Fingerprint] | None:
    """The cached index of ``path``, if it is there and matches the file exactly.

    Size and mtime are compared first; then the file is hashed in chunks (so a large store is
    never read into memory on a warm run) and the SHA-256 must match too.  Raises
    `IndexDamaged` when the cached file cannot be trusted.
    """
    try:
        stat = path.stat()
    except OSError:
        return None
    index = Index.open(cache, {"size": str(stat.st_size), "mtime_ns": str(stat.st_mtime_ns)})
    if index is None:
        return None
    try:
        with path.open("rb") as handle:
            digest = hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        digest = ""
    if index.meta.get("sha256") != digest or index.meta.get("version") != __version__:
        index.close()
        return None
    return index, Fingerprint(stat.st_size, stat.st_mtime_ns, digest)


def load_store(
    path: str | os.PathLike[str] | None = None,
    *,
    use_cache: bool | None = None,
    fresh: bool = False,
) -> Store:
    """Load and validate a store (default: ``$RUHRTIMELINE_STORE`` or the bundled one).
    ``fresh`` reads and checks the file even where a cached index matches it (and caches
    what it finds): what `validate` does.

    Raises `StoreError` with every problem when the store cannot be read or is invalid.
    """
    store_path = resolve_store_path(path)
    if use_cache is None:
        use_cache = not os.environ.get(ENV_NO_CACHE)
    cache = _cache_file(store_path) if use_cache else None
    warning = None
    if cache is not None and not fresh:
        try:
            found = _open_cached(cache, store_path)
        except IndexDamaged as exc:
            warning = f"the cached index {cache} was damaged ({exc}); rebuilt it from the store"
            _discard(cache)
            found = None
        if found is not None:
            return Store(store_path, found[0], found[1], cached=True, cache_file=cache)
    data, fingerprint = read_store_bytes(store_path)
    from .validation import validate
    from .yaml_reader import decode

    text = decode(data, store_path)
    del data
    if cache is not None:
        with contextlib.suppress(IndexUnavailable):
            index = Index.build(validate(text, store_path), fingerprint.meta(), cache)
            return Store(
                store_path,
                index,
                fingerprint,
                cached=False,
                cache_file=cache,
                cache_warning=warning,
            )
    index = Index.build(validate(text, store_path), fingerprint.meta())
    return Store(store_path, index, fingerprint, cached=False, cache_warning=warning)


def _cached_indexes(folder: Path) -> list[Path]:
    """The index files of this cache: our names only, never anything else in the folder."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if _CACHE_FILE.fullmatch(p.name) and not p.is_dir())


def cache_summary() -> tuple[Path, int, int]:
    """The cache folder, how many indexes it holds, and their size in bytes."""
    folder = cache_dir()
    files = _cached_indexes(folder)
    return folder, len(files), sum(f.lstat().st_size for f in files)


def clear_cache() -> int:
    """Remove the cached indexes (and what killed builds left); return how many indexes were
    removed.  Other files in the cache folder are not touched."""
    removed = 0
    folder = cache_dir()
    for item in _cached_indexes(folder):
        with contextlib.suppress(OSError):
            item.unlink()
            removed += 1
    if folder.is_dir():
        from .files import remove_abandoned  # only when clearing

        remove_abandoned(folder, is_temporary)
    return removed
