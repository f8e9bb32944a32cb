"""Writes that are whole: folders that change in one step under kill -9, no leftovers of
killed runs, and -o that never turns a device, a pipe or a link into a regular file."""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from conftest import MINIMAL, Cli
from helpers import event, write_store
from ruhrtimeline.files import MANIFEST, recover

posix = pytest.mark.skipif(os.name != "posix", reason="POSIX file types and signals")


def ruhrtimeline(*args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "ruhrtimeline", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=dict(os.environ, RUHRTIMELINE_NO_CACHE="1"),
    )


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if not p.name.startswith(".")}


def _store(path: Path, count: int, title: str) -> Path:
    events = [
        event(f"e{i}", f"20{10 + i % 15}-0{1 + i % 9}-1{i % 9}", title={"de": title, "en": title})
        for i in range(count)
    ]
    return write_store(path, events)


@posix
@pytest.mark.slow
def test_a_killed_feeds_build_leaves_one_build_never_a_mix(tmp_path: Path) -> None:
    first = _store(tmp_path / "a.yaml", 300, "First")
    second = _store(tmp_path / "b.yaml", 300, "Second")
    builds = {}
    for name, store in (("first", first), ("second", second)):
        out = tmp_path / f"ref-{name}"
        assert ruhrtimeline("feeds", "build", str(out), "--store", str(store)).wait(60) == 0
        builds[name] = snapshot(out)
    assert builds["first"].keys() == builds["second"].keys()
    out = tmp_path / "public"
    rng = random.Random(8)
    stores = [second, first]
    for attempt in range(8):
        before = snapshot(out) if out.exists() else {}
        process = ruhrtimeline("feeds", "build", str(out), "--store", str(stores[attempt % 2]))
        time.sleep(rng.uniform(0.3, 1.5))
        process.send_signal(signal.SIGKILL)
        process.wait(10)
        if not out.exists():
            continue  # killed before it began
        now = snapshot(out)
        if now != before and now not in builds.values():
            # Killed inside the few renames after the commit: the plan is there, and the next
            # run (here: its first step) completes it.
            staged = [p for p in out.iterdir() if p.name.startswith(".ruhrtimeline-staging-")]
            assert staged and (staged[0] / ".plan.json").is_file()
            recover(out)
            now = snapshot(out)
        assert now == before or now in builds.values()
    finished = ruhrtimeline("feeds", "build", str(out), "--store", str(first))
    assert finished.wait(60) == 0
    assert snapshot(out) == builds["first"]
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == [MANIFEST]


@posix
def test_temporary_files_of_killed_runs_are_removed(tmp_path: Path) -> None:
    target = tmp_path / "all.ics"
    # A run stopped inside its write (at fsync, before the rename), then killed.
    child = (
        "import os, sys, time\n"
        "def stall(fd):\n"
        "    print('writing', flush=True)\n"
        "    time.sleep(60)\n"
        "os.fsync = stall\n"
        "from ruhrtimeline.__main__ import main\n"
        f"main(['export', 'ics', '-o', {str(target)!r}])\n"
    )
    for _ in range(3):
        process = subprocess.Popen(
            [sys.executable, "-c", child],
            stdout=subprocess.PIPE,
            env=dict(os.environ, RUHRTIMELINE_NO_CACHE="1"),
        )
        assert process.stdout is not None and process.stdout.readline() == b"writing\n"
        process.send_signal(signal.SIGKILL)
        process.wait(10)
        process.stdout.close()
    # Each run removes what the killed one before it left: they never pile up.
    leftovers = [p for p in tmp_path.iterdir() if p.name.startswith(".all.ics.")]
    assert len(leftovers) == 1
    assert ruhrtimeline("export", "ics", "-o", str(target)).wait(60) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["all.ics"]


@posix
def test_staging_folders_of_killed_builds_are_removed(tmp_path: Path) -> None:
    out = tmp_path / "public"
    child = (
        "import os, sys, time\n"
        "import ruhrtimeline.files as files\n"
        "def stall(folder):\n"
        "    print('committing', flush=True)\n"
        "    time.sleep(60)\n"
        "files._fsync_folder = stall\n"
        "from ruhrtimeline.__main__ import main\n"
        f"main(['feeds', 'build', {str(out)!r}, '--store', {str(MINIMAL)!r}])\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", child],
        stdout=subprocess.PIPE,
        env=dict(os.environ, RUHRTIMELINE_NO_CACHE="1"),
    )
    assert process.stdout is not None and process.stdout.readline() == b"committing\n"
    process.send_signal(signal.SIGKILL)
    process.wait(10)
    process.stdout.close()
    assert next(p.name for p in out.iterdir()).startswith(".ruhrtimeline-staging-")
    assert snapshot(out) == {}  # nothing published yet: no half of a set
    assert ruhrtimeline("feeds", "build", str(out), "--store", str(MINIMAL)).wait(60) == 0
    hidden = sorted(p.name for p in out.iterdir() if p.name.startswith("."))
    assert hidden == [MANIFEST] and "all.ics" in snapshot(out)


def test_two_runs_cannot_write_one_folder_at_once(cli: Cli, tmp_path: Path) -> None:
    if not hasattr(os, "O_DIRECTORY"):
        pytest.skip("no folder locks here")
    import fcntl

    out = tmp_path / "public"
    out.mkdir()
    fd = os.open(out, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # as a run under way holds it
        result = cli("feeds", "build", str(out), "--store", str(MINIMAL))
        assert result.exit_code == 1 and "another run is writing" in result.stderr
    finally:
        os.close(fd)
    assert cli("feeds", "build", str(out), "--store", str(MINIMAL)).exit_code == 0


def test_report_all_replaces_its_own_reports_only(cli: Cli, tmp_path: Path) -> None:
    store = write_store(tmp_path / "s.yaml", [event("a", "2019-08-09"), event("b", "2020-05")])
    out = tmp_path / "reports"
    for fmt in ("markdown", "html"):
        result = cli("report", "--all", "-f", fmt, "-o", str(out), "--store", str(store))
        assert result.exit_code == 0
    (out / "notes.md").write_text("mine")
    write_store(store, [event("a", "2019-08-09")])
    assert cli("report", "--all", "-o", str(out), "--store", str(store)).exit_code == 0
    assert sorted(snapshot(out)) == [
        "index.html",
        "index.md",
        "notes.md",
        "report-2019.html",
        "report-2019.md",
        "report-2020.html",
    ]


def test_reports_and_feeds_in_one_folder_leave_each_other_alone(cli: Cli, tmp_path: Path) -> None:
    out = tmp_path / "public"
    store = write_store(tmp_path / "s.yaml", [event("a", "2019-08-09"), event("b", "2020-05")])
    assert cli("feeds", "build", str(out), "--store", str(store)).exit_code == 0
    feeds = snapshot(out)
    assert cli("report", "--all", "-f", "csv", "-o", str(out), "--store", str(store)).exit_code == 0
    assert cli("feeds", "build", str(out), "--store", str(store)).exit_code == 0
    names = set(snapshot(out))
    assert set(feeds) | {"report-2019.csv", "report-2020.csv", "index.csv"} == names


# --- -o: files, links, pipes and devices ------------------------------------------------------


@posix
def test_output_to_a_pipe_is_a_stream(tmp_path: Path) -> None:
    fifo = tmp_path / "feed.ics"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    writer = ruhrtimeline("export", "ics", "--store", str(MINIMAL), "-o", str(fifo))
    assert writer.wait(60) == 0
    reader.join(10)
    assert received[0].startswith(b"BEGIN:VCALENDAR") and fifo.is_fifo()


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc/self/fd")
def test_output_to_standard_output_by_its_path(tmp_path: Path) -> None:
    # /proc/self/fd/1 is what /dev/stdout links to; a broken writer could not replace it
    # (and this test never points one at the machine's own /dev/stdout or /dev/null).
    command = [sys.executable, "-m", "ruhrtimeline", "export", "ics", "--store", str(MINIMAL)]
    piped = subprocess.run(
        [*command, "-o", "/proc/self/fd/1"], capture_output=True, timeout=60, check=False
    )
    assert piped.returncode == 0 and piped.stdout.startswith(b"BEGIN:VCALENDAR")
    redirected = tmp_path / "out.ics"
    redirected.write_bytes(b"")
    with redirected.open("ab") as handle:  # a shell's >>: the file the shell opened
        done = subprocess.run([*command, "-o", "/proc/self/fd/1"], stdout=handle, timeout=60)
    assert done.returncode == 0 and redirected.read_bytes().startswith(b"BEGIN:VCALENDAR")


@posix
def test_output_to_a_device_is_a_stream(cli: Cli, tmp_path: Path) -> None:
    import stat

    null = tmp_path / "null"
    try:
        os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # a /dev/null of our own
    except (PermissionError, OSError):
        pytest.skip("cannot make a device node here")
    assert cli("export", "ics", "--store", str(MINIMAL), "-o", str(null)).exit_code == 0
    assert null.is_char_device()


@posix
def test_output_through_a_link_replaces_the_file_and_keeps_the_link(
    cli: Cli, tmp_path: Path
) -> None:
    real = tmp_path / "real.ics"
    real.write_text("old")
    link = tmp_path / "link.ics"
    link.symlink_to(real)
    assert cli("export", "ics", "--store", str(MINIMAL), "-o", str(link)).exit_code == 0
    assert link.is_symlink() and real.read_bytes().startswith(b"BEGIN:VCALENDAR")


@posix
def test_output_refuses_what_is_not_a_file(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "sock"
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(path))
        result = cli("export", "ics", "--store", str(MINIMAL), "-o", str(path))
        assert result.exit_code == 1 and "not a regular file" in result.stderr
        assert path.is_socket()
    finally:
        server.close()
    dangling = tmp_path / "dangling.ics"
    dangling.symlink_to(tmp_path / "nowhere" / "x.ics")
    result = cli("export", "ics", "--store", str(MINIMAL), "-o", str(dangling))
    assert result.exit_code == 1 and "a link to nothing" in result.stderr
