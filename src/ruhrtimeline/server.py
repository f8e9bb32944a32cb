"""The feed server: asyncio for the connections, h11 for HTTP/1.1.

It answers only for the names of a feed set (no paths, so no traversal and no listing).  Each
response comes from one version of one file: the file is opened once (never through a link,
only if it is a regular file), its size taken from that open file, its ETag a hash of its
content, and its bytes sent from it.  A client has ``timeout`` seconds to send a whole request
head (not per read), the head is limited in size, one address may hold only so many
connections, and a waiting connection costs a buffer, not a thread, so that slow or trickling
clients cannot starve the others.  For many subscribers, publish a built folder on a static
host or CDN instead (see the README).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import copy
import hashlib
import os
import re
import shutil
import socket
import stat
import sys
import tempfile
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from email.utils import formatdate, parsedate_to_datetime
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

import h11

from .errors import StoreError
from .ical import IMPRECISE_DEFAULT, Imprecise
from .publish import FEED_FILE, PAGE_FILE, FeedSet
from .store import load_store

TYPES = {
    ".ics": "text/calendar; charset=utf-8",
    ".html": "text/html; charset=utf-8",
}
CACHE_CONTROL = "public, max-age=3600"
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
    "img-src 'self' data:"
)
REQUEST_TIMEOUT = 10.0  # seconds for a whole request head, and for each write to progress
MAX_CONNECTIONS = 1024  # open at once; further ones are answered 503 and closed
# Open at once from one client address: enough for a proxy or an office behind one address,
# while one trickling attacker cannot hold every connection.
MAX_PER_ADDRESS = 256
MAX_HEAD = 32 * 1024  # bytes of a request line and headers together
LINGER_BYTES = 16 << 20  # at most this much of a refused request is read and dropped
MAX_HEADERS = 100
CHUNK = 64 * 1024  # bytes of a file sent at a time
READ = 16 * 1024  # bytes read from a client at a time; a paused client holds at most twice this
SMALL = 256 * 1024  # files up to this size are read into memory to be sent, larger ones sendfile
_NOT_FOUND = b"404 Not Found: this server has the feeds listed at /\n"


def allowed(name: str) -> bool:
    return bool(FEED_FILE.match(name) or PAGE_FILE.match(name))


Log = Callable[[str], None]

# C0 and C1 controls (ESC among them) and the bidirectional overrides: a request line or a
# Host header must not write terminal escapes into the log or reorder its text.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """``text`` with control and bidi-override characters written as escapes (``\\x1b``)."""
    return _UNPRINTABLE.sub(lambda m: repr(m.group())[1:-1], text)


def _stderr(line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


# --- versions of files ------------------------------------------------------------------------


@dataclass(frozen=True)
class Version:
    """One version of one file: what the headers say, and the bytes (in memory, or an open
    file whose size and content the headers describe; whoever gets it closes it)."""

    name: str
    size: int
    last_modified: float  # POSIX time
    etag: str  # '"…"': a hash of the content; empty until computed (`Folder.tag`)
    body: bytes | None = None
    fd: int | None = None

    @property
    def content_type(self) -> str:
        return TYPES[Path(self.name).suffix]

    def close(self) -> None:
        if self.fd is not None:
            with contextlib.suppress(OSError):
                os.close(self.fd)

    @classmethod
    def of(cls, name: str, body: bytes, last_modified: float) -> Version:
        return cls(name, len(body), float(int(last_modified)), _tag(hashlib.sha256(body)), body)


def _tag(digest: Any) -> str:
    return '"' + str(digest.hexdigest())[:32] + '"'


def _open_inside(directory: Path, name: str) -> int:
    """Open ``directory/name`` for reading: never through a link, never outside the folder,
    and without blocking on a pipe put in a file's place."""
    flags = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_NONBLOCK", 0)
    if hasattr(os, "O_NOFOLLOW") and os.open in os.supports_dir_fd:
        # POSIX: the name is one plain component, opened relative to the folder itself.
        folder = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            return os.open(name, flags | os.O_NOFOLLOW, dir_fd=folder)
        finally:
            os.close(folder)
    path = directory / name  # elsewhere: resolve and check
    if path.is_symlink() or path.resolve().parent != directory.resolve():
        raise PermissionError(f"{name}: not a file of the folder")
    return os.open(path, flags)


class Folder:
    """The feed files of a built folder, opened once per request."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._digests: collections.OrderedDict[tuple[int, ...], str] = collections.OrderedDict()
        self._lock = threading.Lock()

    def names(self) -> list[str]:
        try:
            entries = list(os.scandir(self.directory))
        except OSError:
            return []
        return sorted(
            e.name for e in entries if allowed(e.name) and e.is_file(follow_symlinks=False)
        )

    def get(self, name: str, base: str | None = None) -> Version | None:
        if not allowed(name):
            return None
        try:
            fd = _open_inside(self.directory, name)
        except OSError:
            return None  # missing, a link, a folder, or not ours to read
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            os.close(fd)
            return None
        with self._lock:
            etag = self._digests.get(_identity(info), "")
        return Version(name, info.st_size, float(int(info.st_mtime)), etag, fd=fd)

    def tag(self, version: Version) -> Version:
        """The version with its ETag: the SHA-256 of the open file (computed once for each
        version of a file; this reads the whole file, so the server runs it in a thread)."""
        if version.etag or version.fd is None:
            return version
        digest = hashlib.sha256()
        offset = 0
        while offset < version.size:
            chunk = _read_at(version.fd, min(1 << 20, version.size - offset), offset)
            if not chunk:
                break
            digest.update(chunk)
            offset += len(chunk)
        etag = _tag(digest)
        info = os.fstat(version.fd)
        with self._lock:
            self._digests[_identity(info)] = etag
            while len(self._digests) > 4096:
                self._digests.popitem(last=False)
        return replace(version, etag=etag)

    def close(self) -> None:
        pass


def _identity(info: os.stat_result) -> tuple[int, ...]:
    # A file replaced by a rename is a new inode; one written in place has a new mtime/ctime.
    return (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)


def _read_at(fd: int, size: int, offset: int) -> bytes:
    if hasattr(os, "pread"):
        return os.pread(fd, size, offset)
    os.lseek(fd, offset, os.SEEK_SET)  # Windows: one reader per open file
    return os.read(fd, size)


class FileSet(Protocol):
    """What the server serves: a version of each name, for links starting at ``base``."""

    def names(self) -> list[str]: ...

    def get(self, name: str, base: str | None = None) -> Version | None: ...

    def tag(self, version: Version) -> Version: ...

    def close(self) -> None: ...


class BuiltSet(Folder):
    """The feed set of a store, built into a private folder; its index page links to the
    address the client used (the Host header), unless the set was built with a base URL."""

    def __init__(self, directory: Path, feeds: FeedSet, modified: float) -> None:
        super().__init__(directory)
        self._feeds = feeds
        self._modified = modified
        self._pages: collections.OrderedDict[str | None, Version] = collections.OrderedDict()

    def get(self, name: str, base: str | None = None) -> Version | None:
        if name != "index.html" or self._feeds.base_url is not None:
            return super().get(name)
        with self._lock:
            page = self._pages.get(base)
        if page is None:
            feeds = _with_base(self._feeds, base)
            page = Version.of(name, feeds.index_page().encode("utf-8"), self._modified)
            with self._lock:
                self._pages[base] = page
                while len(self._pages) > 64:
                    self._pages.popitem(last=False)
        return page

    def close(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)


def _with_base(feeds: FeedSet, base: str | None) -> FeedSet:
    other = copy.copy(feeds)
    other.base_url = base
    return other


# --- what is served, kept current ---------------------------------------------------------------


class Files:
    """The set being served: the last good one, replaced when a rebuild succeeds.

    ``check`` (called about once a second) looks at ``stamp``; when it has changed and then
    stayed the same for one look (a file being written keeps changing), ``load`` runs in a
    thread while the previous set is served.  A rebuild that fails keeps the last good set and
    logs one line: a store that turns invalid, or is caught half-written, never costs a
    request."""

    def __init__(
        self,
        load: Callable[[], FileSet],
        stamp: Callable[[], object] | None = None,
        log: Log = _stderr,
    ) -> None:
        self._load = load
        self._stamp = stamp
        self._log: Log = lambda line: log(printable(line))
        self._seen = self._built = stamp() if stamp is not None else None
        self._current = load()
        self._building: threading.Thread | None = None

    @property
    def current(self) -> FileSet:
        return self._current

    def names(self) -> list[str]:
        return self._current.names()

    def get(self, name: str, base: str | None = None) -> Version | None:
        return self._current.get(name, base)

    def check(self) -> None:
        if self._stamp is None or (self._building is not None and self._building.is_alive()):
            return
        try:
            now = self._stamp()
        except OSError:
            return  # gone for a moment (being replaced): look again later
        if now != self._seen:
            self._seen = now  # still changing, perhaps: wait until it settles
            return
        if now == self._built:
            return
        self._built = now
        self._building = threading.Thread(target=self._refresh, name="rebuild", daemon=True)
        self._building.start()

    def wait(self) -> None:
        """Wait for a rebuild under way (for tests and for a clean stop)."""
        if self._building is not None:
            self._building.join()

    def _refresh(self) -> None:
        try:
            fresh = self._load()
        except StoreError as exc:
            more = len(exc.problems) - 1
            extra = f" (and {more} more)" if more > 0 else ""
            self._log(f"store invalid, serving the last good feeds: {exc}{extra}")
        except Exception as exc:  # a rebuild must never take the server down
            self._log(f"rebuild failed, serving the last good feeds: {type(exc).__name__}: {exc}")
        else:
            old, self._current = self._current, fresh
            old.close()
            self._log(f"reloaded: {len(fresh.names())} files")

    def close(self) -> None:
        self.wait()
        self._current.close()


def folder_files(directory: Path, log: Log = _stderr) -> Files:
    """Serve the feed files of a built folder (each request opens the file it names, so a
    rebuilt folder is served as it is)."""
    return Files(lambda: Folder(directory), None, log)


def store_files(
    path: Path,
    *,
    imprecise: Imprecise = IMPRECISE_DEFAULT,
    base_url: str | None = None,
    built: datetime | None = None,
    log: Log = _stderr,
) -> Files:
    """Serve the feed set of a store, built into a private folder and rebuilt in the
    background when the store changes.  Raises `StoreError` when the store is invalid at the
    start."""

    def stamp() -> tuple[int, int]:
        info = path.stat()
        return info.st_size, info.st_mtime_ns

    def load() -> FileSet:
        folder = Path(tempfile.mkdtemp(prefix="ruhrtimeline-serve-"))
        try:
            with load_store(path) as store:
                if store.cache_warning:
                    log(f"warning: {store.cache_warning}")
                feeds = FeedSet(store, imprecise=imprecise, base_url=base_url, built=built)
                feeds.write(folder)
                return BuiltSet(folder, feeds, store.fingerprint.mtime_ns / 1e9)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise

    return Files(load, stamp, log)


# --- HTTP ---------------------------------------------------------------------------------------

_HOST = re.compile(
    r"(?:(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*[A-Za-z0-9]"
    r"(?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?|\[[0-9A-Fa-f:.]{2,45}\])(?::[0-9]{1,5})?"
)


def base_from_host(host: str | None) -> str | None:
    """``http://HOST/`` for a Host header that is a plain host name or address (and port);
    None for anything else, so that a forged header cannot put markup or a path in links."""
    if host is None or len(host) > 260 or not _HOST.fullmatch(host):
        return None
    return f"http://{host}/"


def _accepts_gzip(value: str | None) -> bool:
    for part in (value or "").split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip().lower() in ("gzip", "x-gzip"):
            q = params.strip().removeprefix("q=").strip() if "q=" in params else "1"
            try:
                return float(q) > 0
            except ValueError:
                return False
    return False


class _Body:
    """What h11 passes through untouched: the file part, sent by sendfile."""

    def __init__(self, size: int) -> None:
        self.size = size

    def __len__(self) -> int:
        return self.size


class _Refused(Exception):
    """A request answered with an error status; the connection then closes."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class FeedServer:
    """Listens on a socket bound at creation; `serve_forever` runs until `shutdown`."""

    def __init__(
        self,
        files: Files,
        address: tuple[str, int],
        *,
        timeout: float = REQUEST_TIMEOUT,
        max_connections: int = MAX_CONNECTIONS,
        max_per_address: int = MAX_PER_ADDRESS,
        log: Log = _stderr,
    ) -> None:
        self.files = files
        self.timeout = timeout
        self.max_connections = min(max_connections, _open_files_allowed() - 64)
        self.max_per_address = max_per_address
        self.log = log
        family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.socket = socket.create_server(address, family=family, backlog=512)
        # Only request heads are read, never bodies: a small receive buffer (inherited by every
        # connection) bounds what one read can take in, and so the memory a flood of huge heads
        # can hold, without slowing the feeds, which go the other way.
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, READ)
        self.server_address: tuple[str, int] = self.socket.getsockname()[:2]
        self._open = 0
        self._by_address: collections.Counter[str] = collections.Counter()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._done = threading.Event()

    def serve_forever(self) -> None:
        try:
            asyncio.run(self._main())
        finally:
            self._done.set()

    def shutdown(self) -> None:
        """Stop `serve_forever` (from another thread) and wait until it has stopped."""
        if self._loop is not None and self._stop is not None:
            with contextlib.suppress(RuntimeError):  # the loop has already ended
                self._loop.call_soon_threadsafe(self._stop.set)
            self._done.wait()

    def server_close(self) -> None:
        self.socket.close()
        self.files.close()

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        server = await asyncio.start_server(self._connection, sock=self.socket, limit=READ)
        checker = asyncio.create_task(self._check())
        try:
            await self._stop.wait()
        finally:
            checker.cancel()
            server.close()

    async def _check(self) -> None:
        while True:
            await asyncio.sleep(1.0)
            self.files.check()

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = writer.get_extra_info("peername")
        address = str(peer[0]) if peer else "-"
        if self._open >= self.max_connections or self._by_address[address] >= self.max_per_address:
            writer.write(
                b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n"
                b"Connection: close\r\nRetry-After: 5\r\n\r\n"
            )
            await self._close(writer)
            return
        self._open += 1
        self._by_address[address] += 1
        try:
            await self._serve(reader, writer, address)
        except (OSError, TimeoutError, h11.LocalProtocolError):
            pass  # a client that reset, stalled or broke off: nothing to log but its request
        except asyncio.CancelledError:
            pass  # the server stops: end quietly (asyncio 3.11 would log a cancelled handler)
        finally:
            self._open -= 1
            self._by_address[address] -= 1
            if not self._by_address[address]:
                del self._by_address[address]
            await self._close(writer)

    async def _close(self, writer: asyncio.StreamWriter) -> None:
        writer.close()
        with contextlib.suppress(OSError, TimeoutError, asyncio.CancelledError):
            async with asyncio.timeout(1.0):
                await writer.wait_closed()

    async def _serve(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, address: str
    ) -> None:
        conn = h11.Connection(h11.SERVER, max_incomplete_event_size=MAX_HEAD)
        while True:
            try:
                async with asyncio.timeout(self.timeout):
                    request = await self._head(conn, reader)
            except TimeoutError:
                if conn.their_state is h11.IDLE and self._pending(conn):
                    await self._error(conn, writer, address, 408, None)
                return
            except _Refused as exc:
                await self._error(conn, writer, address, exc.status, None)
                await self._linger(reader, writer)
                return
            if request is None:
                return
            await self._respond(conn, writer, request[0], address)
            if not request[1]:
                await self._linger(reader, writer)  # a body we do not read
                return
            if conn.our_state is not h11.DONE:
                return  # a connection that closes
            conn.start_next_cycle()

    @staticmethod
    async def _linger(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """After refusing a request the client is still sending (a huge head, a body): stop
        writing, and read and drop what still comes for a moment before closing, so that the
        client reads the answer instead of a reset (a "lingering close", as Apache does)."""
        with contextlib.suppress(OSError, RuntimeError, TimeoutError):
            if writer.can_write_eof():
                writer.write_eof()
            async with asyncio.timeout(2.0):
                dropped = 0
                while dropped < LINGER_BYTES and (chunk := await reader.read(READ)):
                    dropped += len(chunk)

    @staticmethod
    def _pending(conn: h11.Connection) -> bool:
        return bool(conn.trailing_data[0])

    async def _head(
        self, conn: h11.Connection, reader: asyncio.StreamReader
    ) -> tuple[h11.Request, bool] | None:
        """The next request and whether it comes without a body; None when the client has
        closed the connection.  Raises `_Refused` for a request to be refused."""
        lines = 0
        request = None
        while True:
            try:
                event = conn.next_event()
            except h11.RemoteProtocolError as exc:
                status = exc.error_status_hint
                if status == 431 and lines == 0:
                    status = 414  # the request line alone is too long
                raise _Refused(431 if lines > MAX_HEADERS + 1 else status) from None
            if event is h11.NEED_DATA:
                if request is not None:
                    return request, False  # a body follows: answer, then close
                data = await reader.read(READ)
                lines += data.count(b"\n")
                conn.receive_data(data)
                continue
            if isinstance(event, h11.Request):
                if event.http_version not in (b"1.0", b"1.1"):
                    raise _Refused(505)
                size = len(event.method) + len(event.target) + 12
                size += sum(len(name) + len(value) + 4 for name, value in event.headers)
                if len(event.headers) > MAX_HEADERS or size > MAX_HEAD:
                    raise _Refused(431)
                request = event
                continue
            if isinstance(event, h11.EndOfMessage) and request is not None:
                return request, True
            if request is not None:
                return request, False  # body data: we read no bodies
            return None  # the client closed the connection

    async def _error(
        self,
        conn: h11.Connection,
        writer: asyncio.StreamWriter,
        address: str,
        status: int,
        request: h11.Request | None,
    ) -> None:
        if conn.our_state not in (h11.IDLE, h11.SEND_RESPONSE):
            return
        body = f"{status} {_reason(status)}\n".encode()
        headers = [
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Length", str(len(body))),
            ("Connection", "close"),
        ]
        if status == 405:
            headers.append(("Allow", "GET, HEAD"))
        self._log_request(address, request, status, len(body))
        with contextlib.suppress(h11.LocalProtocolError):
            await self._send(
                writer,
                conn.send(_response(status, headers)),
                conn.send(h11.Data(data=body)),
                conn.send(h11.EndOfMessage()),
            )

    async def _send(self, writer: asyncio.StreamWriter, *pieces: bytes | None) -> None:
        """Write the pieces at once; each write must make progress within the timeout."""
        data = b"".join(p for p in pieces if p)
        if data:
            writer.write(data)
            async with asyncio.timeout(self.timeout):
                await writer.drain()

    def _log_request(
        self, address: str, request: h11.Request | None, status: int, size: int
    ) -> None:
        if request is None:
            line = "-"
        else:
            method = request.method.decode("ascii", "replace")
            target = request.target.decode("ascii", "replace")
            line = f"{method} {target} HTTP/{request.http_version.decode('ascii', 'replace')}"
        when = time.strftime("%d/%b/%Y %H:%M:%S", time.localtime())
        self.log(printable(f'{address} [{when}] "{line}" {status} {size}'))

    async def _respond(
        self, conn: h11.Connection, writer: asyncio.StreamWriter, request: h11.Request, address: str
    ) -> None:
        if request.method not in (b"GET", b"HEAD"):
            await self._error(conn, writer, address, 405, request)
            return
        head = request.method == b"HEAD"
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in request.headers}
        target = request.target.decode("latin-1")
        path = unquote(urlsplit(target).path)
        name = "index.html" if path == "/" else path[1:] if path.startswith("/") else ""
        # Only plain names of the set: no folders, no dots to climb, nothing else on disk.
        version = None
        if "/" not in name and "\\" not in name and allowed(name):
            version = self.files.get(name, base_from_host(headers.get("host")))
        if version is None:
            await self._simple(conn, writer, request, address, 404, _NOT_FOUND, head)
            return
        try:
            if not version.etag:
                loop = asyncio.get_running_loop()
                version = await loop.run_in_executor(None, self.files.current.tag, version)
            await self._file(conn, writer, request, address, version, headers, head)
        finally:
            version.close()

    async def _simple(
        self,
        conn: h11.Connection,
        writer: asyncio.StreamWriter,
        request: h11.Request,
        address: str,
        status: int,
        body: bytes,
        head: bool,
    ) -> None:
        headers = [
            ("Content-Type", "text/plain; charset=utf-8"),
            ("Content-Length", str(len(body))),
        ]
        self._log_request(address, request, status, len(body))
        await self._send(
            writer,
            conn.send(_response(status, headers)),
            None if head else conn.send(h11.Data(data=body)),
            conn.send(h11.EndOfMessage()),
        )

    async def _file(
        self,
        conn: h11.Connection,
        writer: asyncio.StreamWriter,
        request: h11.Request,
        address: str,
        version: Version,
        headers: dict[str, str],
        head: bool,
    ) -> None:
        gzip = _accepts_gzip(headers.get("accept-encoding")) and version.size > 0
        etag = version.etag[:-1] + '-gzip"' if gzip else version.etag
        out = [
            ("ETag", etag),
            ("Last-Modified", formatdate(version.last_modified, usegmt=True)),
            ("Cache-Control", CACHE_CONTROL),
            ("Vary", "Accept-Encoding"),
        ]
        if version.name.endswith(".ics"):
            out.append(("Access-Control-Allow-Origin", "*"))
        if _not_modified(version, headers):
            self._log_request(address, request, 304, 0)
            await self._send(writer, conn.send(_response(304, out)), conn.send(h11.EndOfMessage()))
            return
        out += [("Content-Type", version.content_type), ("X-Content-Type-Options", "nosniff")]
        if version.content_type.startswith("text/html"):
            out.append(("Content-Security-Policy", CSP))
        if gzip:
            out.append(("Content-Encoding", "gzip"))  # chunked: h11 adds the framing
        else:
            out.append(("Content-Length", str(version.size)))
        self._log_request(address, request, 200, version.size)
        start = conn.send(_response(200, out))
        if head:
            await self._send(writer, start, conn.send(h11.EndOfMessage()))
            return
        if not gzip and (version.fd is None or version.size <= SMALL):
            # Headers and a small body in one write (the body read whole from its version).
            body = version.body if version.fd is None else _read_at(version.fd, version.size, 0)
            if body is None or len(body) != version.size:
                raise ConnectionAbortedError("file truncated while sent")
            await self._send(
                writer, start, conn.send(h11.Data(data=body)), conn.send(h11.EndOfMessage())
            )
            return
        await self._send(writer, start)
        if gzip:
            await self._gzip(conn, writer, version)
        else:
            await self._sendfile(conn, writer, version)
        await self._send(writer, conn.send(h11.EndOfMessage()))

    async def _sendfile(
        self, conn: h11.Connection, writer: asyncio.StreamWriter, version: Version
    ) -> None:
        if version.fd is None:
            return
        loop = asyncio.get_running_loop()
        body = _Body(version.size)
        # h11 frames the body and hands our placeholder back, for sendfile to fill.
        pieces: list[object] = list(
            conn.send_with_data_passthrough(h11.Data(data=body)) or ()  # type: ignore[arg-type]
        )
        for piece in pieces:
            if isinstance(piece, bytes | bytearray | memoryview):
                await self._send(writer, bytes(piece))
                continue
            with os.fdopen(os.dup(version.fd), "rb") as handle:
                offset = 0
                while offset < version.size:
                    count = min(1 << 20, version.size - offset)
                    async with asyncio.timeout(self.timeout):
                        sent = await loop.sendfile(writer.transport, handle, offset, count)
                    if sent < count:  # the file shrank under us: never send a short body
                        raise ConnectionAbortedError("file truncated while sent")
                    offset += sent

    async def _gzip(
        self, conn: h11.Connection, writer: asyncio.StreamWriter, version: Version
    ) -> None:
        loop = asyncio.get_running_loop()
        # The compressed bytes follow from the content alone (no time stamp in the header).
        compressor = zlib.compressobj(6, zlib.DEFLATED, 31)
        offset = 0
        while offset < version.size:
            count = min(CHUNK * 4, version.size - offset)
            if version.fd is None:
                chunk = (version.body or b"")[offset : offset + count]
            else:
                chunk = _read_at(version.fd, count, offset)
            if len(chunk) < count:
                raise ConnectionAbortedError("file truncated while sent")
            offset += count
            packed = await loop.run_in_executor(None, compressor.compress, chunk)
            if packed:
                await self._send(writer, conn.send(h11.Data(data=packed)))
        await self._send(writer, conn.send(h11.Data(data=compressor.flush())))


def _response(status: int, headers: list[tuple[str, str]]) -> h11.Response:
    return h11.Response(
        status_code=status,
        reason=_reason(status),
        headers=[("Server", "ruhrtimeline"), ("Date", formatdate(usegmt=True)), *headers],
    )


def _not_modified(version: Version, headers: dict[str, str]) -> bool:
    match = headers.get("if-none-match")
    if match is not None:  # If-None-Match wins over If-Modified-Since (RFC 9110)
        tags = {t.strip().removeprefix("W/").replace('-gzip"', '"') for t in match.split(",")}
        return "*" in tags or version.etag in tags
    since = headers.get("if-modified-since")
    if since:
        try:
            return parsedate_to_datetime(since).timestamp() >= version.last_modified
        except (TypeError, ValueError, OverflowError):
            return False
    return False


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _open_files_allowed() -> int:
    """How many files this process may open, raised to 4096 where the system lets it (the
    usual soft limit of 1024 would cap the connections below `MAX_CONNECTIONS`)."""
    try:
        import resource
    except ImportError:  # Windows: no such limit on sockets
        return MAX_CONNECTIONS + 64
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 4096 if hard == resource.RLIM_INFINITY else min(4096, hard)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
            soft = wanted
    return MAX_CONNECTIONS + 64 if soft == resource.RLIM_INFINITY else soft


def make_server(
    files: Files,
    host: str = "127.0.0.1",
    port: int = 8080,
    *,
    timeout: float = REQUEST_TIMEOUT,
    max_connections: int = MAX_CONNECTIONS,
    max_per_address: int = MAX_PER_ADDRESS,
    log: Log = _stderr,
) -> FeedServer:
    """A server for ``files``, bound to ``host:port`` (raises `OSError` if it cannot be)."""
    return FeedServer(
        files,
        (host, port),
        timeout=timeout,
        max_connections=max_connections,
        max_per_address=max_per_address,
        log=log,
    )
