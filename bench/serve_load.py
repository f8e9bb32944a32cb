"""Load figures of the feed server, side by side in one run (docs/benchmarks.md).

    python bench/serve_load.py              # the bundled store; or --store PATH

Starts ``ruhrtimeline serve`` and measures, one after the other on the same server: keep-alive
clients (50 and 200 at once) fetching feeds and pages with full, conditional and HEAD
requests; then the same 50 clients while 300 connections trickle a request head one byte
every half second from ten other loopback addresses (Linux: 127.0.0.2–11).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent / "tests"))
from loadgen import LoadResult, load

PATHS = ["/all.ics", "/all.de.ics", "/partner-gzm.ics", "/topic-youth.ics", "/", "/timeline.html"]


def trickle(port: int, count: int, stop: threading.Event) -> list[socket.socket]:
    socks = []
    for i in range(count):
        s = socket.socket()
        s.bind((f"127.0.0.{2 + i % 10}", 0))
        s.connect(("127.0.0.1", port))
        s.setblocking(False)
        socks.append(s)

    def drip() -> None:
        head = b"GET /all.ics HTTP/1.1\r\nHost: x\r\nX-Slow: " + b"a" * 100_000
        for offset in range(len(head)):
            if stop.is_set():
                return
            for s in socks:
                with contextlib.suppress(OSError):
                    s.send(head[offset : offset + 1])
            stop.wait(0.5)

    threading.Thread(target=drip, daemon=True).start()
    return socks


def row(name: str, result: LoadResult) -> str:
    return (
        f"| {name} | {result.requests:,} | {len(result.errors)} | {result.throughput:,.0f} | "
        f"{result.percentile(50) * 1000:.1f} ms | {result.percentile(99) * 1000:.1f} ms |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store")
    args = parser.parse_args()
    command = [sys.executable, "-m", "ruhrtimeline", "serve", "--port", "0"]
    if args.store:
        command += ["--store", args.store]
    server = subprocess.Popen(
        command,
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ, PYTHONUNBUFFERED="1"),
    )
    if server.stderr is None:
        raise RuntimeError("no standard error from the server")
    port = int(server.stderr.readline().split("http://127.0.0.1:")[1].split("/")[0])
    threading.Thread(target=server.stderr.read, daemon=True).start()  # the request log
    try:
        load(port, PATHS, total=500, clients=50)  # warm: ETags computed, pages cached
        lines = [
            "| load | requests | errors | requests/s | p50 | p99 |",
            "|---|---:|---:|---:|---:|---:|",
            row("50 keep-alive clients", load(port, PATHS, total=4000, clients=50)),
            row("200 keep-alive clients", load(port, PATHS, total=8000, clients=200)),
        ]
        stop = threading.Event()
        socks = trickle(port, 300, stop)
        time.sleep(2)
        lines.append(row("50 clients, 300 trickling", load(port, PATHS, total=4000, clients=50)))
        stop.set()
        for s in socks:
            s.close()
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(15)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
