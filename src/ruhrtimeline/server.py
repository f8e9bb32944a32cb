"""A small server for the feed set: the standard library's threading HTTP server.

It answers only for the names of a feed set (no paths, so no traversal and no listing), with
ETag and Last-Modified for conditional requests, HEAD, and a socket timeout so that a client
that never finishes its request cannot hold a thread for long.  For many subscribers, publish
a built folder on a static host or CDN instead (see the README).
"""

from __future__ import annotations

import contextlib
import hashlib
import shutil
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email.utils import formatdate, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from .errors import StoreError
from .ical import IMPRECISE_DEFAULT, Imprecise
from .publish import FEED_FILE, PAGE_FILE, FeedSet
from .store import load_store

TYPES = {
    ".ics": "text/calendar; charset=utf-8",
    ".html": "text/html; charset=utf-8",
}
CACHE_CONTROL = "public, max-age=3600"
REQUEST_TIMEOUT = 10.0  # seconds a client may stay silent before its connection is closed
MAX_CONNECTIONS = 256  # threads serving at once; further connections are turned away


@dataclass(frozen=True)
class Resource:
    """One file to serve: its bytes in memory, or a path read when it is sent."""

    etag: str
    last_modified: float  # POSIX time
    content_type: str
    size: int
    body: bytes | None = None
    path: Path | None = None

    @classmethod
    def of(cls, name: str, body: bytes, last_modified: float) -> Resource:
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        return cls(etag, float(int(last_modified)), TYPES[Path(name).suffix], len(body), body)

    @classmethod
    def on_disk(cls, path: Path, size: int, mtime_ns: int) -> Resource:
        # A folder can hold hundreds of megabytes: the tag comes from size and mtime, and the
        # file is streamed, so nothing is read before it is asked for.
        etag = '"' + hashlib.sha256(f"{path.name}:{size}:{mtime_ns}".encode()).hexdigest()[:32]
        return cls(
            etag + '"', float(mtime_ns // 1_000_000_000), TYPES[path.suffix], size, path=path
        )


def allowed(name: str) -> bool:
    return bool(FEED_FILE.match(name) or PAGE_FILE.match(name))


Log = Callable[[str], None]


def _stderr(line: str) -> None:
    sys.stderr.write(line + "\n")


class Files:
    """Resources by name, reloaded when their origin changes (looked at once a second).

    A reload that fails keeps the last good set and logs one line: a store that turns invalid
    (or is caught half-written) never costs a request."""

    def __init__(
        self,
        load: Callable[[], dict[str, Resource]],
        stamp: Callable[[], object] | None = None,
        log: Log = _stderr,
    ) -> None:
        self._load = load
        self._stamp = stamp
        self._log = log
        self._lock = threading.Lock()
        self._seen = stamp() if stamp is not None else None
        self._resources = load()
        self._checked = time.monotonic()

    def get(self, name: str) -> Resource | None:
        if self._stamp is not None and time.monotonic() - self._checked > 1.0:
            with self._lock:
                if time.monotonic() - self._checked > 1.0:
                    self._checked = time.monotonic()
                    self._refresh(self._stamp)
        return self._resources.get(name)

    def _refresh(self, stamp: Callable[[], object]) -> None:
        try:
            now = stamp()
        except OSError:
            return  # gone for a moment (being replaced): look again later
        if now == self._seen:
            return
        self._seen = now
        try:
            self._resources = self._load()
        except StoreError as exc:
            more = len(exc.problems) - 1
            extra = f" (and {more} more)" if more > 0 else ""
            self._log(f"store invalid, serving the last good feeds: {exc}{extra}")
        except Exception as exc:  # a reload must never take the server down
            self._log(f"reload failed, serving the last good feeds: {type(exc).__name__}: {exc}")
        else:
            self._log(f"reloaded: {len(self._resources)} files")

    @property
    def names(self) -> list[str]:
        return sorted(self._resources)


def folder_files(directory: Path, log: Log = _stderr) -> Files:
    """Serve the feed files found in a built folder (looked at again when it changes)."""

    def scan() -> dict[str, tuple[int, int]]:
        found = {}
        for item in directory.iterdir():
            if allowed(item.name) and item.is_file() and not item.is_symlink():
                stat = item.stat()
                found[item.name] = (stat.st_size, stat.st_mtime_ns)
        return found

    def load() -> dict[str, Resource]:
        return {
            name: Resource.on_disk(directory / name, size, mtime)
            for name, (size, mtime) in scan().items()
        }

    return Files(load, scan, log)


def store_files(
    path: Path,
    *,
    imprecise: Imprecise = IMPRECISE_DEFAULT,
    base_url: str | None = None,
    built: datetime | None = None,
    log: Log = _stderr,
) -> Files:
    """Serve the feed set of a store, built in memory and rebuilt when the store changes.

    Raises `StoreError` when the store is invalid at the start."""

    def stamp() -> tuple[int, int]:
        info = path.stat()
        return info.st_size, info.st_mtime_ns

    def load() -> dict[str, Resource]:
        with load_store(path) as store:
            modified = store.fingerprint.mtime_ns / 1e9
            files = FeedSet(store, imprecise=imprecise, base_url=base_url, built=built)
            return {n: Resource.of(n, b, modified) for n, b in files.in_memory().items()}

    return Files(load, stamp, log)


class FeedHandler(BaseHTTPRequestHandler):
    server_version = "ruhrtimeline"
    # Headers and body go out as separate writes; with Nagle's algorithm and delayed ACKs a
    # keep-alive client would wait ~40 ms for the second one.
    disable_nagle_algorithm = True
    # Answer even a malformed or HTTP/0.9 request with a status line and headers.
    default_request_version = "HTTP/1.0"
    error_message_format = "%(code)d %(message)s\n"
    error_content_type = "text/plain; charset=utf-8"
    protocol_version = "HTTP/1.1"
    timeout = REQUEST_TIMEOUT
    files: Files  # set on the subclass made by `make_server`

    def _resource(self) -> tuple[str, Resource | None]:
        path = unquote(urlsplit(self.path).path)
        name = "index.html" if path == "/" else path[1:] if path.startswith("/") else ""
        # Only plain names of the set: no folders, no dots to climb, nothing else on disk.
        if "/" in name or "\\" in name or not allowed(name):
            return name, None
        return name, self.files.get(name)

    def version_string(self) -> str:
        return self.server_version

    def do_HEAD(self) -> None:
        self._answer(head=True)

    def do_GET(self) -> None:
        self._answer(head=False)

    def _not_found(self, head: bool) -> None:
        body = b"404 Not Found: this server has the feeds listed at /\n"
        self.send_response(HTTPStatus.NOT_FOUND)
        self.send_header("Content-Type", "text/plain; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _answer(self, head: bool) -> None:
        _, resource = self._resource()
        if resource is None:
            self._not_found(head)
            return
        if self._not_modified(resource):
            self.send_response(HTTPStatus.NOT_MODIFIED)
            self._validators(resource)
            self.end_headers()
            return
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", resource.content_type)
        self.send_header("Content-Length", str(resource.size))
        self._validators(resource)
        self.send_header("X-Content-Type-Options", "nosniff")
        if resource.content_type.startswith("text/html"):
            self.send_header(
                "Content-Security-Policy",
                "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
                "img-src 'self' data:",
            )
        self.end_headers()
        if head:
            return
        if resource.body is not None:
            self.wfile.write(resource.body)
        elif resource.path is not None:
            try:
                with resource.path.open("rb") as handle:
                    shutil.copyfileobj(handle, self.wfile, 1 << 16)
            except OSError:
                self.close_connection = True  # replaced while sent: the client retries

    def _validators(self, resource: Resource) -> None:
        self.send_header("ETag", resource.etag)
        self.send_header("Last-Modified", formatdate(resource.last_modified, usegmt=True))
        self.send_header("Cache-Control", CACHE_CONTROL)

    def _not_modified(self, resource: Resource) -> bool:
        match = self.headers.get("If-None-Match")
        if match is not None:  # If-None-Match wins over If-Modified-Since (RFC 9110)
            tags = [t.strip().removeprefix("W/") for t in match.split(",")]
            return "*" in tags or resource.etag in tags
        since = self.headers.get("If-Modified-Since")
        if since:
            try:
                return parsedate_to_datetime(since).timestamp() >= resource.last_modified
            except (TypeError, ValueError, OverflowError):
                return False
        return False

    def log_message(self, format: str, *args: Any) -> None:
        sys.stderr.write(
            f"{self.address_string()} [{self.log_date_time_string()}] {format % args}\n"
        )


class FeedServer(ThreadingHTTPServer):
    """One thread a connection, at most `MAX_CONNECTIONS` at once (so that clients who never
    finish their request cannot exhaust the machine); each is closed after `timeout` seconds
    of silence."""

    daemon_threads = True
    request_queue_size = 128

    def __init__(
        self,
        address: tuple[str, int],
        handler: type[FeedHandler],
        max_connections: int = MAX_CONNECTIONS,
    ) -> None:
        super().__init__(address, handler)
        self._slots = threading.BoundedSemaphore(max_connections)

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self._slots.acquire(blocking=False):
            with contextlib.suppress(OSError):
                request.sendall(
                    b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n"
                    b"Connection: close\r\nRetry-After: 5\r\n\r\n"
                )
            self.shutdown_request(request)
            return
        super().process_request(request, client_address)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()


def make_server(
    files: Files,
    host: str = "127.0.0.1",
    port: int = 8080,
    *,
    timeout: float = REQUEST_TIMEOUT,
    max_connections: int = MAX_CONNECTIONS,
) -> FeedServer:
    handler = type("Handler", (FeedHandler,), {"files": files, "timeout": timeout})
    return FeedServer((host, port), handler, max_connections)
