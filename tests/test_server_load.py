"""The feed server on loopback under load and abuse, with a bounded loop that stops itself."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from loadgen import load


@pytest.fixture(scope="module")
def server() -> Iterator[int]:
    process = subprocess.Popen(
        [sys.executable, "-m", "ruhrtimeline", "serve", "--port", "0", "--timeout", "1"],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env=dict(os.environ, PYTHONUNBUFFERED="1"),
    )
    assert process.stderr is not None
    line = process.stderr.readline()
    assert line.startswith("serving"), line
    port = int(line.split("http://127.0.0.1:")[1].split("/")[0])
    # Drain the request log so that the server never blocks on a full pipe.
    import threading

    threading.Thread(target=process.stderr.read, daemon=True).start()
    try:
        yield port
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        finally:
            process.stderr.close()


def raw(port: int, data: bytes, wait: float = 5.0) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as sock:
        sock.sendall(data)
        chunks = []
        try:
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        except TimeoutError:
            pass
        return b"".join(chunks)


def status(response: bytes) -> int:
    return int(response.split(b" ", 2)[1]) if response.startswith(b"HTTP/") else 0


def test_2000_requests_from_50_clients(server: int) -> None:
    paths = [
        "/all.ics",
        "/all.de.ics",
        "/partner-gzm.ics",
        "/partner-rvr.en.ics",
        "/topic-youth.ics",
        "/",
        "/index.html",
        "/timeline.html",
    ]
    result = load(server, paths, total=2000, clients=50)
    assert result.errors == []
    assert result.requests == 2000
    assert result.not_modified > 300  # about a third of the requests are conditional
    print(
        f"\nserve: {result.requests} requests, {len(result.errors)} errors, "
        f"{result.not_modified} answered 304, {result.throughput:.0f} requests/s, p50 "
        f"{result.percentile(50) * 1000:.1f} ms, p99 {result.percentile(99) * 1000:.1f} ms"
    )


@pytest.mark.parametrize(
    "path",
    [
        b"/../pyproject.toml",
        b"/../../../../etc/passwd",
        b"/%2e%2e/%2e%2e/etc/passwd",
        b"/%2E%2E%2Fetc%2Fpasswd",
        b"//etc/passwd",
        b"/etc/passwd",
        b"/.git/config",
        b"/all.ics%00.html",
        b"/C:%5CWindows%5Cwin.ini",
        b"/..%5c..%5cpyproject.toml",
        b"http://evil.example/../all.ics",
        b"/all.ics/../../x",
        b"/index.html?../../x#y",
    ],
)
def test_path_traversal_is_refused(server: int, path: bytes) -> None:
    response = raw(server, b"GET " + path + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    if path.startswith(b"/index.html?"):
        assert status(response) == 200  # a query string is ignored
    else:
        assert status(response) in (400, 404), response[:200]
        assert b"root:" not in response and b"[build-system]" not in response


@pytest.mark.parametrize(
    ("request_bytes", "expected"),
    [
        (b"GARBAGE\r\n\r\n", 400),
        (b"GET\r\n\r\n", 400),
        (b"GET / HTTP/9.9\r\n\r\n", 505),
        (b"GET / FTP/1.0\r\n\r\n", 400),
        (b"\x00\x01\x02\xff\xfe\r\n\r\n", 400),
        (b"GET /" + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n", 414),
        (b"GET / HTTP/1.1\r\nX-Big: " + b"b" * 70_000 + b"\r\n\r\n", 431),
        (b"GET / HTTP/1.1\r\n" + b"".join(b"X-%d: y\r\n" % i for i in range(150)) + b"\r\n", 431),
    ],
)
def test_malformed_requests(server: int, request_bytes: bytes, expected: int) -> None:
    response = raw(server, request_bytes)
    assert status(response) == expected, response[:200]


def test_slow_clients_are_timed_out_while_others_are_served(server: int) -> None:
    slow = []
    for _ in range(30):
        sock = socket.create_connection(("127.0.0.1", server), timeout=10)
        sock.sendall(b"GET /all.ics HTT")  # and never finish
        slow.append(sock)
    try:
        result = load(server, ["/all.ics", "/partner-gzm.ics"], total=200, clients=10)
        assert result.errors == []
        # The server answers each unfinished request 408 after its one-second deadline, and
        # closes the connection.
        deadline = time.monotonic() + 15
        for sock in slow:
            sock.settimeout(max(0.1, deadline - time.monotonic()))
            received = b""
            while chunk := sock.recv(1024):
                received += chunk
            assert status(received) == 408
    finally:
        for sock in slow:
            sock.close()


def test_many_connections_are_capped_not_fatal(server: int) -> None:
    from ruhrtimeline.server import MAX_CONNECTIONS

    assert MAX_CONNECTIONS >= 50
    result = load(server, ["/all.ics"], total=100, clients=20)
    assert result.errors == []
