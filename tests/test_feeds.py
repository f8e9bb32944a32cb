"""The feed set on disk, and the server that answers for it on a real socket."""

from __future__ import annotations

import http.client
import os
import threading
import time
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import MINIMAL, Cli
from helpers import event, write_store
from ics_check import check
from ruhrtimeline import load_store
from ruhrtimeline.errors import OutputError
from ruhrtimeline.feeds import FEED_FILE, build_feed_set
from ruhrtimeline.files import inside, slug
from ruhrtimeline.server import FeedServer, Files, Resource, folder_files, make_server


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.links += [v for k, v in attrs if k == "href" and v]


def test_feeds_build_writes_the_whole_set(cli: Cli, tmp_path: Path, bundled: Path) -> None:
    out = tmp_path / "public"
    result = cli("feeds", "build", str(out), "--base-url", "https://example.org/feeds")
    assert result.exit_code == 0, result.stderr
    store = load_store(bundled)
    stems = (
        ["all"]
        + [f"partner-{p}" for p in store.partner_ids()]
        + [f"topic-{t}" for t in store.topic_ids()]
    )
    expected = {f"{s}{v}.ics" for s in stems for v in ("", ".de", ".en")}
    expected |= {"index.html", "timeline.html"}
    assert {p.name for p in out.iterdir()} == expected
    for name in expected - {"index.html", "timeline.html"}:
        assert FEED_FILE.match(name)
        check((out / name).read_bytes())
    assert (out / "all.ics").read_bytes() == (out / "all.en.ics").read_bytes()
    assert (
        b"SOURCE;VALUE=URI:https://example.org/feeds/partner-gzm.de.ics"
        in (out / "partner-gzm.de.ics").read_bytes()
    )
    gzm = (out / "partner-gzm.en.ics").read_bytes()
    assert gzm.count(b"BEGIN:VEVENT") == 15
    parser = Links()
    parser.feed((out / "index.html").read_text(encoding="utf-8"))
    assert "webcal://example.org/feeds/partner-gzm.en.ics" in parser.links
    assert "https://example.org/feeds/all.de.ics" in parser.links
    assert "topic-youth.de.ics" in parser.links


def test_rebuilding_changes_nothing(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "public"
    cli("feeds", "build", str(out))
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.iterdir()}
    time.sleep(0.01)
    result = cli("feeds", "build", str(out))
    assert "0 written" in result.stdout
    after = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in out.iterdir()}
    assert after == before


def test_one_language_and_stale_feeds(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "public"
    cli("feeds", "build", str(out), "--store", str(MINIMAL))
    (out / "partner-gone.ics").write_bytes(b"old")
    (out / "notes.txt").write_text("mine")
    cli("feeds", "build", str(out), "--store", str(MINIMAL), "--lang", "de")
    names = {p.name for p in out.iterdir()}
    assert names == {
        "all.ics",
        "partner-rvr.ics",
        "partner-gzm.ics",
        "topic-youth.ics",
        "topic-mobility.ics",
        "index.html",
        "timeline.html",
        "notes.txt",
    }
    assert b"Partnerschaftsvereinbarung" in (out / "all.ics").read_bytes()


def test_names_cannot_escape_the_folder(tmp_path: Path) -> None:
    for bad in ("../x.ics", "/etc/passwd", "a/b.ics", "..", "", "a\\b.ics"):
        with pytest.raises(OutputError):
            inside(tmp_path, bad)
    assert slug("../../Etc/Passwd") == "etc-passwd"
    assert inside(tmp_path, "all.ics") == tmp_path / "all.ics"


def test_feeds_build_into_a_file_is_an_error(cli: Cli, tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("x")
    result = cli("feeds", "build", str(target))
    assert result.exit_code == 2 and "not a folder" in result.stderr
    bad = cli("feeds", "build", str(tmp_path / "x"), "--base-url", "ftp://host/")
    assert bad.exit_code == 2 and "--base-url" in bad.stderr


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[FeedServer, Path]]:
    path = write_store(tmp_path / "store.yaml", [event("a", "2019-08-09")])
    store = load_store(path)
    stamp = [path.stat().st_mtime_ns]

    def load() -> dict[str, Resource]:
        feed_set = build_feed_set(load_store(path))
        return {n: Resource.of(n, b, path.stat().st_mtime) for n, b in feed_set.files.items()}

    def changed() -> bool:
        now = path.stat().st_mtime_ns
        if now != stamp[0]:
            stamp[0] = now
            return True
        return False

    del store
    srv = make_server(Files(load, changed), "127.0.0.1", 0)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv, path
    srv.shutdown()
    srv.server_close()


def request(
    srv: FeedServer, method: str, path: str, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", srv.server_address[1], timeout=5)
    conn.request(method, path, headers=headers or {})
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, dict(response.getheaders()), body


def test_server_answers(server: tuple[FeedServer, Path]) -> None:
    srv, _ = server
    status, headers, body = request(srv, "GET", "/all.ics")
    assert status == 200 and headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert body.startswith(b"BEGIN:VCALENDAR") and int(headers["Content-Length"]) == len(body)
    assert headers["Cache-Control"].startswith("public") and headers["ETag"].startswith('"')
    assert request(srv, "GET", "/")[1]["Content-Type"] == "text/html; charset=utf-8"
    head = request(srv, "HEAD", "/partner-gzm.ics")
    assert head[0] == 200 and head[2] == b"" and int(head[1]["Content-Length"]) > 0
    assert request(srv, "GET", "/all.ics", {"If-None-Match": headers["ETag"]})[0] == 304
    assert request(srv, "GET", "/all.ics", {"If-None-Match": '"other"'})[0] == 200
    assert (
        request(srv, "GET", "/all.ics", {"If-Modified-Since": headers["Last-Modified"]})[0] == 304
    )
    assert (
        request(srv, "GET", "/all.ics", {"If-Modified-Since": "Mon, 01 Jan 1990 00:00:00 GMT"})[0]
        == 200
    )
    for path in (
        "/nope.ics",
        "/../pyproject.toml",
        "/%2e%2e/%2e%2e/etc/passwd",
        "//etc/passwd",
        "/store.yaml",
        "/all.ics/..",
        "/index.html/x",
        "/c:%5cwindows%5cwin.ini",
        "/.git/config",
    ):
        assert request(srv, "GET", path)[0] == 404, path


def test_server_rebuilds_when_the_store_changes(server: tuple[FeedServer, Path]) -> None:
    srv, path = server
    first = request(srv, "GET", "/all.ics")[2]
    write_store(path, [event("a", "2019-08-09"), event("b", "2020-01-02")])
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 5_000_000_000))
    time.sleep(1.1)
    second = request(srv, "GET", "/all.ics")[2]
    assert second != first and second.count(b"BEGIN:VEVENT") == 2


def test_folder_mode_serves_only_feed_files(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "public"
    cli("feeds", "build", str(out), "--store", str(MINIMAL))
    (out / "secret.txt").write_text("no")
    srv = make_server(folder_files(out), "127.0.0.1", 0)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    try:
        status, headers, body = request(srv, "GET", "/all.de.ics")
        assert (status, body) == (200, (out / "all.de.ics").read_bytes())
        assert request(srv, "GET", "/all.de.ics", {"If-None-Match": headers["ETag"]})[0] == 304
        assert request(srv, "HEAD", "/all.de.ics")[1]["Content-Length"] == str(len(body))
        assert request(srv, "GET", "/secret.txt")[0] == 404
    finally:
        srv.shutdown()
        srv.server_close()


def test_serve_command_on_a_real_socket(tmp_path: Path) -> None:
    import subprocess
    import sys

    process = subprocess.Popen(
        [sys.executable, "-m", "ruhrtimeline", "serve", "--port", "0", "--store", str(MINIMAL)],
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ, PYTHONUNBUFFERED="1"),
    )
    try:
        assert process.stderr is not None
        line = process.stderr.readline()
        assert line.startswith("serving ") and "(Ctrl-C to stop)" in line
        port = int(line.split("http://127.0.0.1:")[1].split("/")[0])
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        conn.request("GET", "/all.ics")
        response = conn.getresponse()
        assert response.status == 200 and b"UID:agreement@ruhrtimeline" in response.read()
        conn.close()
        log = process.stderr.readline()
        assert '"GET /all.ics HTTP/1.1" 200' in log
    finally:
        process.send_signal(__import__("signal").SIGINT)
        assert process.wait(timeout=10) == 0
    assert process.stderr is not None
    rest = process.stderr.read()
    process.stderr.close()
    assert rest.strip().endswith("stopped")
