"""A bounded load generator for the feed server (used by the tests and by bench/run.py)."""

from __future__ import annotations

import http.client
import random
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass
class LoadResult:
    requests: int = 0
    errors: list[str] = field(default_factory=list)
    not_modified: int = 0
    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        if not ordered:
            return 0.0
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def load(
    port: int, paths: Sequence[str], *, total: int = 2000, clients: int = 50, seed: int = 1
) -> LoadResult:
    """``total`` requests from ``clients`` threads, each on its own keep-alive connection: a mix
    of full GETs, conditional GETs (which must be answered 304) and HEADs."""
    result = LoadResult()
    lock = threading.Lock()
    per_client = [total // clients + (1 if i < total % clients else 0) for i in range(clients)]

    def client(number: int, count: int) -> None:
        rng = random.Random(seed * 1000 + number)
        etags: dict[str, str] = {}
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            for _ in range(count):
                path = rng.choice(paths)
                kind = rng.choice(["get", "conditional", "head"])
                headers = {}
                if kind == "conditional" and path in etags:
                    headers["If-None-Match"] = etags[path]
                method = "HEAD" if kind == "head" else "GET"
                start = time.perf_counter()
                try:
                    conn.request(method, path, headers=headers)
                    response = conn.getresponse()
                    body = response.read()
                except (OSError, http.client.HTTPException) as exc:
                    with lock:
                        result.errors.append(f"{method} {path}: {exc!r}")
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                    continue
                elapsed = time.perf_counter() - start
                etag = response.getheader("ETag")
                expected = 304 if headers else 200
                problem = None
                if response.status != expected:
                    problem = f"{method} {path}: {response.status}, expected {expected}"
                elif method == "GET" and expected == 200 and not body:
                    problem = f"GET {path}: empty body"
                with lock:
                    result.requests += 1
                    result.latencies.append(elapsed)
                    result.not_modified += response.status == 304
                    if problem:
                        result.errors.append(problem)
                if etag:
                    etags[path] = etag
        finally:
            conn.close()

    threads = [threading.Thread(target=client, args=(i, n)) for i, n in enumerate(per_client)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    result.seconds = time.perf_counter() - began
    return result
