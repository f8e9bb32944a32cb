"""The feed server under rebuilds, links, trickling clients, stores edited in place, huge
heads and resets: on real loopback sockets, each test bounded in time."""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import http.client
import os
import random
import resource
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import MINIMAL
from helpers import event, write_store
from loadgen import LoadResult
from ruhrtimeline import load_store
from ruhrtimeline.publish import FeedSet
from ruhrtimeline.server import (
    FeedServer,
    Files,
    Folder,
    folder_files,
    make_server,
    store_files,
)

posix = pytest.mark.skipif(os.name != "posix", reason="POSIX sockets and file types")


@contextlib.contextmanager
def running(files: Files, **options: object) -> Iterator[FeedServer]:
    server = make_server(files, "127.0.0.1", 0, **options)  # type: ignore[arg-type]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


def get(
    port: int, path: str, headers: dict[str, str] | None = None, method: str = "GET"
) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, path, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def raw(port: int, data: bytes, *, source: str = "127.0.0.1", wait: float = 10) -> bytes:
    """Send ``data`` and read until the server closes the connection (a test fails rather
    than waits if it never does)."""
    with socket.create_connection(
        ("127.0.0.1", port), timeout=wait, source_address=(source, 0)
    ) as s:
        s.sendall(data)
        chunks = []
        with contextlib.suppress(ConnectionResetError):
            while chunk := s.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks)


def etag_of(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


# --- consistent responses while the folder is rebuilt -------------------------------------------


def test_responses_match_their_headers_while_the_folder_is_rebuilt(tmp_path: Path) -> None:
    stores = [
        write_store(
            tmp_path / "a.yaml", [event(f"a{i}", f"2019-0{1 + i % 9}-11") for i in range(40)]
        ),
        write_store(
            tmp_path / "b.yaml", [event(f"b{i}", f"2020-0{1 + i % 9}-12") for i in range(60)]
        ),
    ]
    out = tmp_path / "public"
    opened = [load_store(path, use_cache=False) for path in stores]
    FeedSet(opened[0]).write(out)
    names = ["all.ics", "all.de.ics", "partner-rvr.ics", "topic-youth.en.ics", "index.html"]
    seen: list[tuple[int, dict[str, str], bytes]] = []
    done = threading.Event()

    def client(number: int) -> None:
        rng = random.Random(number)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            while not done.is_set():
                conn.request("GET", "/" + rng.choice(names))
                response = conn.getresponse()
                seen.append((response.status, dict(response.getheaders()), response.read()))
        finally:
            conn.close()

    with running(folder_files(out), log=lambda _: None) as server:
        port = server.server_address[1]
        clients = [threading.Thread(target=client, args=(n,)) for n in range(6)]
        for thread in clients:
            thread.start()
        for round_ in range(20):  # feeds build, again and again, under the clients
            FeedSet(opened[(round_ + 1) % 2]).write(out)
        done.set()
        for thread in clients:
            thread.join(10)
    for store in opened:
        store.close()
    bodies: dict[str, set[bytes]] = {}
    assert len(seen) > 100
    for status, headers, body in seen:
        assert status == 200
        assert int(headers["Content-Length"]) == len(body)
        assert headers["ETag"] == etag_of(body)
        bodies.setdefault(headers["ETag"], set()).add(body)
    assert all(len(versions) == 1 for versions in bodies.values())


# --- only the feed set: no links, no other kinds of files ---------------------------------------


@posix
def test_links_and_other_kinds_of_files_are_not_served(tmp_path: Path) -> None:
    out = tmp_path / "public"
    with load_store(MINIMAL, use_cache=False) as store:
        FeedSet(store).write(out)
    secret = tmp_path / "passwd"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n")
    linked = tmp_path / "linked"
    linked.symlink_to(out)  # the folder itself may be a link
    odd = ("all.ics", "partner-rvr.ics", "topic-youth.ics", "topic-mobility.ics")
    with running(folder_files(linked), log=lambda _: None) as server:
        port = server.server_address[1]
        for name in odd:  # served, and so known to the server, before they are replaced
            assert get(port, "/" + name)[0] == 200
        for name in odd:
            (out / name).unlink()
        (out / "all.ics").symlink_to(secret)  # out of the folder
        (out / "partner-rvr.ics").symlink_to(out / "partner-gzm.ics")  # inside, still a link
        os.mkfifo(out / "topic-youth.ics")  # would block a reader that opened it plainly
        (out / "topic-mobility.ics").mkdir()
        for name in odd:
            status, _, body = get(port, "/" + name)
            assert status == 404 and b"root:" not in body, name
        status, _, body = get(port, "/partner-gzm.ics")
        assert status == 200 and body == (out / "partner-gzm.ics").read_bytes()


# --- slow and trickling clients -----------------------------------------------------------------


def _loopback_alias(address: str) -> bool:
    try:
        with socket.socket() as s:
            s.bind((address, 0))
    except OSError:
        return False
    return True


def _more_files() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < 4096:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (min(4096, hard), hard))


def trickle(
    port: int, sources: list[str], stop: threading.Event, step: float
) -> list[socket.socket]:
    """Connections that send a request head one byte at a time and never finish it."""
    socks = []
    for i in range(300):
        s = socket.socket()
        s.bind((sources[i % len(sources)], 0))
        s.connect(("127.0.0.1", port))
        s.setblocking(False)
        socks.append(s)

    def drip() -> None:
        head = b"GET /all.ics HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 10_000
        offset = 0
        while not stop.is_set() and offset < len(head):
            for s in socks:
                with contextlib.suppress(OSError):
                    s.send(head[offset : offset + 1])
            offset += 1
            stop.wait(step)

    threading.Thread(target=drip, daemon=True).start()
    return socks


@pytest.mark.skipif(not _loopback_alias("127.0.0.2"), reason="needs 127.0.0.2 on loopback")
def test_trickling_clients_cannot_starve_others() -> None:
    _more_files()
    with load_store(MINIMAL, use_cache=False):
        pass
    stop = threading.Event()
    with running(
        store_files(MINIMAL, log=lambda line: None), timeout=2.0, log=lambda _: None
    ) as server:
        port = server.server_address[1]
        sources = [f"127.0.0.{n}" for n in range(2, 12)]  # 30 connections from each
        socks = trickle(port, sources, stop, 0.5)
        try:
            result = LoadResult()
            began = time.perf_counter()
            for i in range(150):
                start = time.perf_counter()
                status, _, body = get(port, "/all.ics" if i % 2 else "/partner-gzm.ics")
                result.latencies.append(time.perf_counter() - start)
                result.requests += 1
                if status != 200 or not body:
                    result.errors.append(str(status))
            result.seconds = time.perf_counter() - began
            assert result.errors == []
            print(
                f"\nunder 300 trickling connections: {result.requests} requests, p50 "
                f"{result.percentile(50) * 1000:.1f} ms, p99 {result.percentile(99) * 1000:.1f} ms"
            )
            # The deadline is for the whole head: every trickler is answered 408 and closed
            # (its next byte may meet the closed socket first, and a reset loses the 408).
            answered = 0
            for s in socks:
                s.setblocking(True)
                s.settimeout(15)
                received = b""
                with contextlib.suppress(ConnectionResetError):
                    while chunk := s.recv(4096):
                        received += chunk
                assert received == b"" or received.startswith(b"HTTP/1.1 408 ")
                answered += received.startswith(b"HTTP/1.1 408 ")
            assert answered > 0
        finally:
            stop.set()
            for s in socks:
                s.close()


@pytest.mark.skipif(not _loopback_alias("127.0.0.2"), reason="needs 127.0.0.2 on loopback")
def test_one_address_gets_a_share_not_everything() -> None:
    with running(
        store_files(MINIMAL, log=lambda line: None), max_per_address=20, log=lambda _: None
    ) as server:
        port = server.server_address[1]
        held = []
        for _ in range(20):
            s = socket.create_connection(("127.0.0.1", port), source_address=("127.0.0.2", 0))
            s.sendall(b"GET / HTTP/1.1\r\n")  # and no more
            held.append(s)
        try:
            time.sleep(0.2)  # let the server count them
            turned_away = raw(port, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n", source="127.0.0.2")
            assert turned_away.startswith(b"HTTP/1.1 503 ")
            assert get(port, "/all.ics")[0] == 200  # another address is served
        finally:
            for s in held:
                s.close()


def test_the_previous_set_is_served_while_a_new_one_builds() -> None:
    building = threading.Event()
    release = threading.Event()
    stamps = iter([1, 2, 2, 2, 2])
    built = iter(["first", "second"])

    class Named(Folder):
        def __init__(self, label: str) -> None:
            super().__init__(Path("."))
            self.label = label

        def names(self) -> list[str]:
            return [self.label]

    def load() -> Named:
        label = next(built)
        if label == "second":
            building.set()
            release.wait(10)  # a long build
        return Named(label)

    files = Files(load, lambda: next(stamps), log=lambda line: None)
    files.check()  # the stamp changed: wait until it settles
    files.check()  # settled: the rebuild starts in the background
    assert building.wait(10)
    assert files.names() == ["first"]  # served meanwhile
    release.set()
    files.wait()
    assert files.names() == ["second"]


# --- requests: heads, methods, encodings, links -------------------------------------------------


@pytest.mark.parametrize(
    ("request_bytes", "expected"),
    [
        (b"GET / HTTP/1.1\r\nHost: x\r\n" + b"X-H: " + b"h" * 2000 + b"\r\n" * 1, 0),
        (
            b"GET / HTTP/1.1\r\nHost: x\r\n"
            + b"".join(b"X-%d: %s\r\n" % (i, b"v" * 2000) for i in range(20))
            + b"\r\n",
            431,
        ),
        (
            b"GET / HTTP/1.1\r\nHost: x\r\n"
            + b"".join(b"X-%d: %s\r\n" % (i, b"v" * 60_000) for i in range(60))
            + b"\r\n",
            431,
        ),
        (b"GET /all.ics HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", 200),
        (b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc", 405),
        (b"DELETE /all.ics HTTP/1.1\r\nHost: x\r\n\r\n", 405),
        (b"OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n", 405),
        (b"GET /\x1b]52;c;ZXZpbA==\x07 HTTP/1.1\r\nHost: x\r\n\r\n", 400),
    ],
    ids=[
        "incomplete",
        "40-kb-head",
        "3-6-mb-head",
        "http-1.0-keep-alive",
        "post",
        "delete",
        "options",
        "escape",
    ],
)
def test_heads_and_methods(request_bytes: bytes, expected: int) -> None:
    log: list[str] = []
    with running(store_files(MINIMAL, log=log.append), timeout=1.0, log=log.append) as server:
        # Read to the end: a connection that the server closes never hangs (HTTP/1.0 too).
        response = raw(server.server_address[1], request_bytes, wait=10)
    status = int(response.split(b" ", 2)[1]) if response else 0
    if expected == 0:
        assert status in (0, 408)  # an unfinished head: 408 after the deadline
        return
    assert status == expected, response[:300]
    if expected == 405:
        assert b"\r\nAllow: GET, HEAD\r\n" in response
    if expected == 200:
        head, body = response.split(b"\r\n\r\n", 1)
        length = int(head.split(b"Content-Length: ")[1].split(b"\r\n")[0])
        assert len(body) == length and body.startswith(b"BEGIN:VCALENDAR")
    assert not any("\x1b" in line or "\x07" in line for line in log)


def test_gzip_cors_and_conditional_requests() -> None:
    with running(store_files(MINIMAL, log=lambda line: None), log=lambda _: None) as server:
        port = server.server_address[1]
        status, plain, body = get(port, "/all.ics")
        assert status == 200 and plain["Access-Control-Allow-Origin"] == "*"
        assert plain["Vary"] == "Accept-Encoding" and plain["ETag"] == etag_of(body)
        status, packed, zipped = get(port, "/all.ics", {"Accept-Encoding": "gzip, br"})
        assert status == 200 and packed["Content-Encoding"] == "gzip"
        assert gzip.decompress(zipped) == body and packed["Vary"] == "Accept-Encoding"
        assert packed["ETag"] != plain["ETag"] and packed["ETag"].endswith('-gzip"')
        for tag in (plain["ETag"], packed["ETag"]):
            for encoding in ("gzip", "identity"):
                headers = {"If-None-Match": tag, "Accept-Encoding": encoding}
                assert get(port, "/all.ics", headers)[0] == 304
        assert (
            get(port, "/all.ics", {"Accept-Encoding": "gzip;q=0"})[1].get("Content-Encoding")
            is None
        )
        head = get(port, "/all.ics", {"Accept-Encoding": "gzip"}, method="HEAD")
        assert head[0] == 200 and head[2] == b"" and head[1]["Content-Encoding"] == "gzip"
        page = get(port, "/index.html")[1]
        assert "Access-Control-Allow-Origin" not in page and "Content-Security-Policy" in page


def test_index_links_from_the_host_or_the_base_url() -> None:
    with running(store_files(MINIMAL, log=lambda line: None), log=lambda _: None) as server:
        port = server.server_address[1]
        page = get(port, "/", {"Host": "feeds.example.org:8443"})[2].decode()
        assert 'href="webcal://feeds.example.org:8443/partner-gzm.de.ics"' in page
        assert 'href="http://feeds.example.org:8443/all.en.ics"' in page
        forged = get(port, "/", {"Host": 'evil.example/"><script>alert(1)</script>'})[2].decode()
        assert "evil" not in forged and "webcal://" not in forged
    files = store_files(MINIMAL, base_url="https://example.org/feeds/", log=lambda line: None)
    with running(files, log=lambda _: None) as server:
        page = get(server.server_address[1], "/", {"Host": "other.example"})[2].decode()
        assert 'href="https://example.org/feeds/all.en.ics"' in page and "other.example" not in page


# --- the real command: resets, memory, a store edited in place --------------------------------


@contextlib.contextmanager
def serve(*args: str) -> Iterator[tuple[subprocess.Popen[str], int, list[str]]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "ruhrtimeline", "serve", "--port", "0", *args],
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ, PYTHONUNBUFFERED="1"),
    )
    assert process.stderr is not None
    first = process.stderr.readline()
    assert first.startswith("serving"), first
    port = int(first.split("http://127.0.0.1:")[1].split("/")[0])
    log: list[str] = []
    reader = threading.Thread(target=lambda: log.extend(iter(process.stderr.readline, "")))  # type: ignore[union-attr]
    reader.start()
    try:
        yield process, port, log
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(15)
        reader.join(10)
        process.stderr.close()


def _peak_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads /proc")
def test_resets_and_huge_heads_leave_no_traceback_and_little_memory() -> None:
    with serve("--store", str(MINIMAL), "--timeout", "2") as (process, port, log):
        before = _peak_kib(process.pid)
        socks = []
        for _ in range(150):  # unfinished heads of 1 MiB each (the finding: 6 MB × 150)
            s = socket.create_connection(("127.0.0.1", port))
            s.setblocking(False)
            socks.append(s)
        chunk = b"GET / HTTP/1.1\r\nX: " + b"x" * 65536
        for _ in range(16):
            for s in socks:
                with contextlib.suppress(OSError):
                    s.send(chunk)
        for s in socks:
            s.close()
        for i in range(60):  # resets: before the request, in its middle, while the answer flows
            s = socket.create_connection(("127.0.0.1", port))
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            if i % 3:
                s.sendall(
                    b"GET /all.ics HTTP/1.1\r\nHost: x\r\n" + (b"\r\n" if i % 3 == 2 else b"")
                )
            s.close()
        assert get(port, "/all.ics")[0] == 200
        growth = _peak_kib(process.pid) - before
    # About 100 KiB a connection at most (what is read and not yet parsed), 15 MiB for 150.
    assert growth < 32 * 1024, f"{growth} KiB"
    assert not [line for line in log if "Traceback" in line or "Error" in line]


@pytest.mark.slow
def test_a_store_rewritten_in_place_while_serving(tmp_path: Path) -> None:
    path = tmp_path / "store.yaml"
    versions = [
        write_store(
            tmp_path / "a.yaml", [event(f"a{i}", "2019-08-09") for i in range(30)]
        ).read_bytes(),
        write_store(
            tmp_path / "b.yaml", [event(f"b{i}", "2020-02-03") for i in range(31)]
        ).read_bytes(),
    ]
    path.write_bytes(versions[0])
    with serve("--store", str(path)) as (_, port, log):
        answers: list[tuple[int, dict[str, str], bytes]] = []
        done = threading.Event()

        def client() -> None:
            while not done.is_set():
                answers.append(get(port, "/all.ics"))

        clients = [threading.Thread(target=client) for _ in range(4)]
        for thread in clients:
            thread.start()
        for round_ in range(4):  # not replaced atomically: truncated, then written in pieces
            data = versions[(round_ + 1) % 2]
            with path.open("r+b") as handle:
                handle.truncate(0)
                for start in range(0, len(data), len(data) // 8 + 1):
                    handle.write(data[start : start + len(data) // 8 + 1])
                    handle.flush()
                    time.sleep(0.05)
            time.sleep(1.2)
        deadline = time.monotonic() + 30
        while get(port, "/all.ics")[2].count(b"UID:a") != 30:  # the last version, in the end
            assert time.monotonic() < deadline
            time.sleep(0.2)
        done.set()
        for thread in clients:
            thread.join(10)
    assert len(answers) > 20
    for status, headers, body in answers:
        assert status == 200 and int(headers["Content-Length"]) == len(body)
        assert body.startswith(b"BEGIN:VCALENDAR") and body.endswith(b"END:VCALENDAR\r\n")
    assert not [line for line in log if "Traceback" in line]
    assert len([line for line in log if line.startswith("store invalid")]) <= 4


@posix
def test_sigterm_stops_the_server_and_removes_its_build(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "ruhrtimeline", "serve", "--port", "0", "--store", str(MINIMAL)],
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ, TMPDIR=str(tmp_path)),
    )
    assert process.stderr is not None
    assert process.stderr.readline().startswith("serving")
    (build,) = tmp_path.iterdir()  # the set, built into a private folder
    assert (build / "all.ics").is_file()
    process.send_signal(signal.SIGTERM)  # as a service manager stops it
    assert process.wait(15) == 0
    process.stderr.close()
    assert list(tmp_path.iterdir()) == []
