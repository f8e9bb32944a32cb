"""The feed set on disk, and the server that answers for it on a real socket."""

from __future__ import annotations

import http.client
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import MINIMAL, Cli
from helpers import PARTNERS, event, write_store
from ics_check import check
from ruhrtimeline import load_store
from ruhrtimeline.errors import OutputError
from ruhrtimeline.files import MANIFEST, inside, slug
from ruhrtimeline.publish import FEED_FILE
from ruhrtimeline.server import FeedServer, folder_files, make_server, store_files


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
    with load_store(bundled) as store:
        stems = (
            ["all"]
            + [f"partner-{p.id}" for p in store.partners()]
            + [f"topic-{t.id}" for t in store.topics()]
        )
    expected = {f"{s}{v}.ics" for s in stems for v in ("", ".de", ".en")}
    expected |= {"index.html", "timeline.html"}
    assert {p.name for p in out.iterdir()} == expected | {MANIFEST}
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


def test_one_language_keeps_the_others_feeds_and_foreign_files(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "public"
    cli("feeds", "build", str(out), "--store", str(MINIMAL))
    both = {p.name for p in out.iterdir()}
    (out / "partner-gone.ics").write_bytes(b"not written by a build")
    (out / "notes.txt").write_text("mine")
    result = cli("feeds", "build", str(out), "--store", str(MINIMAL), "--lang", "de")
    assert result.exit_code == 0 and "0 removed" in result.stdout
    # Subscribers of the English and German feeds keep them; files of others stay too.
    assert {p.name for p in out.iterdir()} == both | {"partner-gone.ics", "notes.txt"}
    assert b"Partnerschaftsvereinbarung" in (out / "all.ics").read_bytes()
    assert (out / "partner-gone.ics").read_bytes() == b"not written by a build"


def test_a_partner_that_leaves_the_store_takes_its_feeds(cli: Cli, tmp_path: Path) -> None:
    both = [event("a", "2019-08-09", ["gzm"]), event("b", "2019-08-10", ["gmca"])]
    store = write_store(tmp_path / "store.yaml", both)
    out = tmp_path / "public"
    assert cli("feeds", "build", str(out), "--store", str(store)).exit_code == 0
    gone = ["partner-gmca.de.ics", "partner-gmca.en.ics", "partner-gmca.ics"]
    assert all((out / name).exists() for name in gone)
    write_store(store, [both[0]], partners=[{**p} for p in PARTNERS[:2]])
    result = cli("feeds", "build", str(out), "--store", str(store))
    assert result.exit_code == 0, result.stderr
    assert f"3 removed: {', '.join(gone)}" in result.stdout
    assert not any((out / name).exists() for name in gone)
    assert (out / "partner-gzm.en.ics").exists()


def test_a_feed_that_becomes_empty_goes(cli: Cli, tmp_path: Path) -> None:
    both = [event("a", "2019-08-09", ["gzm"]), event("b", "2019-08-10", ["gmca"])]
    store = write_store(tmp_path / "store.yaml", both)
    out = tmp_path / "public"
    assert cli("feeds", "build", str(out), "--store", str(store)).exit_code == 0
    write_store(store, [both[0]])  # GMCA stays a partner, without events
    result = cli("feeds", "build", str(out), "--store", str(store))
    assert "partner-gmca.ics" in result.stdout and "left out: no events" in result.stdout
    assert not (out / "partner-gmca.ics").exists()


def test_feeds_without_events_are_left_out_and_named(cli: Cli, tmp_path: Path) -> None:
    path = write_store(
        tmp_path / "store.yaml",
        [
            event("month", "2019-08", ["gzm"], topics=["mobility"]),
            event("day", "2019-08-09", ["rvr"], topics=["youth"]),
        ],
    )
    out = tmp_path / "public"
    result = cli("feeds", "build", str(out), "--store", str(path), "--imprecise", "omit")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[1] == (
        "3 feeds left out: no events (partner-gzm, partner-gmca, topic-mobility)"
    )
    stems = {name.split(".")[0] for name in os.listdir(out) if name.endswith(".ics")}
    assert stems == {"all", "partner-rvr", "topic-youth"}
    parser = Links()
    parser.feed((out / "index.html").read_text(encoding="utf-8"))
    assert {link.split(".")[0] for link in parser.links if link.endswith(".ics")} == stems
    # with every event in it, only the partner without events is left out
    again = cli("feeds", "build", str(out), "--store", str(path))
    assert again.stdout.splitlines()[1] == "1 feed left out: no events (partner-gmca)"
    assert (out / "partner-gzm.de.ics").is_file() and not (out / "partner-gmca.ics").exists()


def test_a_set_without_any_event_has_only_its_index(cli: Cli, tmp_path: Path) -> None:
    path = write_store(tmp_path / "store.yaml", [event("year", "2019", ["gzm"])])
    out = tmp_path / "public"
    result = cli("feeds", "build", str(out), "--store", str(path), "--imprecise", "omit")
    assert result.exit_code == 0, result.stderr
    assert "6 feeds left out" in result.stdout
    assert {p.name for p in out.iterdir() if not p.name.startswith(".")} == {
        "index.html",
        "timeline.html",
    }
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "<table" not in page and ".ics" not in page


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
    assert result.exit_code == 2 and str(target) in result.stderr
    bad = cli("feeds", "build", str(tmp_path / "x"), "--base-url", "ftp://host/")
    assert bad.exit_code == 2 and "'ftp://host/'" in bad.stderr
    assert not (tmp_path / "x").exists()


@dataclass
class Served:
    server: FeedServer
    store: Path
    log: list[str]


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    """The feed set of a small store, served by the product on a real socket."""
    path = write_store(tmp_path / "store.yaml", [event("a", "2019-08-09")])
    log: list[str] = []
    srv = make_server(store_files(path, log=log.append), "127.0.0.1", 0)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield Served(srv, path, log)
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


def test_server_answers(served: Served) -> None:
    srv = served.server
    status, headers, body = request(srv, "GET", "/all.ics")
    assert status == 200 and headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert body.startswith(b"BEGIN:VCALENDAR") and int(headers["Content-Length"]) == len(body)
    assert headers["Cache-Control"].startswith("public") and headers["ETag"].startswith('"')
    assert request(srv, "GET", "/")[1]["Content-Type"] == "text/html; charset=utf-8"
    head = request(srv, "HEAD", "/partner-rvr.ics")
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


def _touch(path: Path) -> None:
    """A new modification time, as an editor's save gives (1 s apart at least)."""
    seconds = path.stat().st_mtime_ns + 2_000_000_000
    os.utime(path, ns=(seconds, seconds))


def until(condition: Callable[[], bool], seconds: float = 30) -> None:
    """Wait for the server's background rebuild (it looks at the store once a second and
    rebuilds once the file has stopped changing)."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_server_rebuilds_when_the_store_changes(served: Served) -> None:
    first = request(served.server, "GET", "/all.ics")[2]
    write_store(served.store, [event("a", "2019-08-09"), event("b", "2020-01-02")])
    _touch(served.store)
    until(lambda: request(served.server, "GET", "/all.ics")[2] != first)
    served.server.files.wait()  # the rebuild's last step, its log line
    assert request(served.server, "GET", "/all.ics")[2].count(b"BEGIN:VEVENT") == 2
    assert served.log == ["reloaded: 11 files"]  # rvr and youth: the other feeds hold no event


def test_server_keeps_the_last_good_feeds_while_the_store_is_invalid(served: Served) -> None:
    good = request(served.server, "GET", "/all.ics")[2]
    text = served.store.read_text(encoding="utf-8")
    served.store.write_text(text.replace("- rvr", "- nope", 1), encoding="utf-8")
    _touch(served.store)
    while not served.log:  # every request answered, with the last good feeds
        status, _, body = request(served.server, "GET", "/all.ics")
        assert (status, body) == (200, good)
        time.sleep(0.1)
    (line,) = served.log
    assert line.startswith("store invalid, serving the last good feeds: ")
    assert f"{served.store}:" in line and "unknown partner 'nope'" in line
    write_store(served.store, [event("a", "2019-08-09"), event("b", "2020-01-02")])
    _touch(served.store)
    until(lambda: request(served.server, "GET", "/all.ics")[2].count(b"BEGIN:VEVENT") == 2)
    served.server.files.wait()
    assert served.log[1:] == ["reloaded: 11 files"]


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


def test_serve_survives_a_store_turned_invalid_and_back(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = write_store(tmp_path / "store.yaml", [event("a", "2019-08-09")])
    process = subprocess.Popen(
        [sys.executable, "-m", "ruhrtimeline", "serve", "--port", "0", "--store", str(path)],
        stderr=subprocess.PIPE,
        text=True,
        env=dict(os.environ, PYTHONUNBUFFERED="1"),
    )
    assert process.stderr is not None
    try:
        port = int(process.stderr.readline().split("http://127.0.0.1:")[1].split("/")[0])

        def get() -> tuple[int, bytes]:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/all.ics")
            response = conn.getresponse()
            result = response.status, response.read()
            conn.close()
            return result

        good = get()[1]
        path.write_text("partners: [\n", encoding="utf-8")  # broken YAML
        _touch(path)
        for _ in range(30):  # past the rebuild that fails
            assert get() == (200, good)
            time.sleep(0.1)
        write_store(path, [event("a", "2019-08-09"), event("b", "2020-01-02")])
        _touch(path)
        until(lambda: get()[1].count(b"BEGIN:VEVENT") == 2)
    finally:
        process.send_signal(__import__("signal").SIGINT)
        assert process.wait(timeout=10) == 0
    log = process.stderr.read().splitlines()
    process.stderr.close()
    problems = [line for line in log if line.startswith("store invalid")]
    assert len(problems) == 1 and f"{path}:" in problems[0]
    assert "reloaded: 11 files" in log
    assert not [line for line in log if "Traceback" in line or "Error" in line]
