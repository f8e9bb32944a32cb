"""`serve --store` on a large store: start, memory, and requests while it rebuilds (Linux).

    python bench/serve_rebuild.py bench/stores/events-100k.yaml

Works on a copy of the store (it is changed) with a cold cache of its own.  Prints the time
until the server answers, its peak memory (VmHWM), then changes the copy and requests the
index page every 50 ms until the rebuild is done: every answer's status and latency.
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path


def peak_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def get(port: int, path: str) -> tuple[int, float]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    began = time.perf_counter()
    conn.request("GET", path)
    response = conn.getresponse()
    response.read()
    conn.close()
    return response.status, time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store", type=Path)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="serve-rebuild-"))
    store = work / "store.yaml"
    shutil.copyfile(args.store, store)
    env = dict(os.environ, RUHRTIMELINE_CACHE_DIR=str(work / "cache"), PYTHONUNBUFFERED="1")
    began = time.perf_counter()
    server = subprocess.Popen(
        [sys.executable, "-m", "ruhrtimeline", "serve", "--port", "0", "--store", str(store)],
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        stderr = server.stderr
        if stderr is None:
            raise RuntimeError("no standard error from the server")
        line = stderr.readline()
        port = int(line.split("http://127.0.0.1:")[1].split("/")[0])
        print(f"start until serving: {time.perf_counter() - began:.1f} s ({line.strip()})")
        log: list[str] = []
        threading.Thread(target=lambda: log.extend(iter(stderr.readline, ""))).start()
        print(f"peak memory after the start: {peak_mib(server.pid):.0f} MiB")
        status, seconds = get(port, "/all.ics")
        print(f"GET /all.ics: {status} in {seconds:.2f} s")
        with store.open("a", encoding="utf-8") as handle:
            handle.write("# changed\n")
        changed = time.perf_counter()
        answers = []
        while not any(line.startswith("reloaded") for line in log):
            answers.append(get(port, "/index.html"))
            time.sleep(0.05)
        latencies = sorted(seconds for _, seconds in answers)
        print(
            f"rebuild: {time.perf_counter() - changed:.0f} s; {len(answers)} requests meanwhile, "
            f"statuses {sorted({status for status, _ in answers})}, "
            f"p50 {statistics.median(latencies) * 1000:.0f} ms, "
            f"p99 {latencies[int(0.99 * (len(latencies) - 1))] * 1000:.0f} ms"
        )
        print(f"peak memory through the rebuild: {peak_mib(server.pid):.0f} MiB")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(120)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
