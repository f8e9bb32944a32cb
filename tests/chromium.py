"""Headless Chromium driven over the DevTools protocol, for the browser tests.

One browser per test session; pages are loaded from ``file://`` and inspected with scripts.
Every wait is bounded in time, and the browser is stopped when the session ends.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import Any

from websockets.sync.client import ClientConnection, connect

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--hide-scrollbars",
]
TIMEOUT = 60.0  # seconds for any one step


class BrowserError(RuntimeError):
    pass


class Chromium:
    """A headless Chromium with one page: ``load`` a URL, ``run`` a script, ``resize``."""

    def __init__(self) -> None:
        if CHROMIUM is None:
            raise BrowserError("Chromium is not installed")
        self.profile = tempfile.TemporaryDirectory(prefix="chromium-profile-")
        self.process = subprocess.Popen(
            [
                CHROMIUM,
                *FLAGS,
                f"--user-data-dir={self.profile.name}",
                "--remote-debugging-port=0",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.ids = itertools.count(1)
        self.stack = contextlib.ExitStack()
        self.socket: ClientConnection = self.stack.enter_context(
            connect(self._page_socket(), max_size=None, open_timeout=TIMEOUT)
        )

    def _page_socket(self) -> str:
        """The DevTools address of the browser's page, from the port file it writes."""
        port_file = Path(self.profile.name) / "DevToolsActivePort"
        deadline = time.monotonic() + TIMEOUT
        while not port_file.is_file() or len(port_file.read_text().split()) < 2:
            if time.monotonic() > deadline or self.process.poll() is not None:
                raise BrowserError("Chromium did not start")
            time.sleep(0.05)
        port, path = port_file.read_text().split()[:2]
        with connect(f"ws://127.0.0.1:{port}{path}", open_timeout=TIMEOUT) as session:
            session.send(json.dumps({"id": 0, "method": "Target.getTargets"}))
            answer = json.loads(session.recv(timeout=TIMEOUT))
            while answer.get("id") != 0:
                answer = json.loads(session.recv(timeout=TIMEOUT))
        pages = [t for t in answer["result"]["targetInfos"] if t["type"] == "page"]
        return f"ws://127.0.0.1:{port}/devtools/page/{pages[0]['targetId']}"

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        """Send one command and wait for its answer (events on the way are dropped)."""
        number = next(self.ids)
        self.socket.send(json.dumps({"id": number, "method": method, "params": params}))
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            message = json.loads(self.socket.recv(timeout=TIMEOUT))
            if message.get("id") == number:
                if "error" in message:
                    raise BrowserError(f"{method}: {message['error']}")
                result: dict[str, Any] = message.get("result", {})
                return result
        raise BrowserError(f"{method}: no answer")

    def resize(self, width: int, height: int = 800) -> None:
        """A viewport as a phone or desktop has it (``<meta name=viewport>`` honoured)."""
        self.call(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=width < 700,
        )

    def load(self, url: str) -> None:
        """Open ``url`` and wait until it has loaded."""
        self.call("Page.navigate", url=url)
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            if self.run("document.readyState") == "complete":
                return
            time.sleep(0.05)
        raise BrowserError(f"{url} did not load")

    def run(self, script: str) -> Any:
        """The value of a script (awaited if it is a promise); a script error is raised."""
        answer = self.call(
            "Runtime.evaluate", expression=script, awaitPromise=True, returnByValue=True
        )
        if "exceptionDetails" in answer:
            raise BrowserError(json.dumps(answer["exceptionDetails"])[:2000])
        return answer["result"].get("value")

    def close(self) -> None:
        try:
            self.stack.close()
        finally:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
            self.profile.cleanup()

    def __enter__(self) -> Chromium:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def file_url(path: Path) -> str:
    return path.resolve().as_uri()
