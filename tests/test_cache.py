"""The cache of store indexes heals and never lies: a corpus of damaged index files, each
used by the real command on a real cache file."""

from __future__ import annotations

import os
import random
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import MINIMAL, Cli
from ruhrtimeline import load_store
from ruhrtimeline.files import locked_temporary
from ruhrtimeline.locations import cache_dir
from ruhrtimeline.store import clear_cache

COMMAND = ("list", "--format", "json", "--store", str(MINIMAL))


@pytest.fixture
def cached(cli: Cli) -> tuple[Path, str]:
    """The index of the minimal store in the test's cache folder, and the right answer."""
    result = cli(*COMMAND)
    assert result.exit_code == 0 and result.stderr == ""
    (index,) = cache_dir().glob("store-*.sqlite3")
    return index, result.stdout


def assert_healed(cli: Cli, expected: str) -> None:
    """Right answer, one warning line; then right answer and no warning."""
    result = cli(*COMMAND)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == expected
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("warning: the cached index "), lines
    assert "rebuilt it from the store" in lines[0]
    again = cli(*COMMAND)
    assert (again.exit_code, again.stdout, again.stderr) == (0, expected, "")


def _pages(path: Path) -> int:
    return path.stat().st_size // 4096


def test_random_bytes_in_every_page(cli: Cli, cached: tuple[Path, str]) -> None:
    index, expected = cached
    good = index.read_bytes()
    rng = random.Random(18)
    for page in range(_pages(index)):
        data = bytearray(good)
        at = page * 4096 + rng.randrange(4096 - 16)
        data[at : at + 16] = rng.randbytes(16)
        index.write_bytes(bytes(data))
        assert_healed(cli, expected)
        good = index.read_bytes()  # the rebuilt one


def test_single_flipped_bits(cli: Cli, cached: tuple[Path, str]) -> None:
    index, expected = cached
    rng = random.Random(7)
    for _ in range(60):
        data = bytearray(index.read_bytes())
        bit = rng.randrange(len(data) * 8)
        data[bit // 8] ^= 1 << (bit % 8)
        index.write_bytes(bytes(data))
        result = cli(*COMMAND)
        # Never a wrong answer; a flip in the field that marks the file as ours makes it a
        # stranger's (rebuilt quietly), any other one is damage (rebuilt with a warning).
        assert (result.exit_code, result.stdout) == (0, expected)
        assert len(result.stderr.splitlines()) <= 1


DAMAGE: dict[str, Callable[[Path], object]] = {
    "truncated to half": lambda p: p.write_bytes(p.read_bytes()[: p.stat().st_size // 2]),
    "truncated to 100 bytes": lambda p: p.write_bytes(p.read_bytes()[:100]),
    "empty": lambda p: p.write_bytes(b""),
    "not SQLite": lambda p: p.write_text("just some text\n" * 100),
    "no tables": lambda p: _drop_tables(p),
    "wrong types": lambda p: _wrong_types(p),
    "a folder": lambda p: _folder(p),
    "a link": lambda p: _link(p),
}


def _drop_tables(path: Path) -> None:
    # The right metadata, no tables: what a half-finished copy or an old tool could leave.
    with sqlite3.connect(path) as conn:
        for table in ("event", "partner", "topic", "era", "event_partner", "event_topic"):
            conn.execute(f"DROP TABLE {table}")
    conn.close()


def _wrong_types(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE event SET first_day = 'soon', data = 42")
    conn.close()


def _folder(path: Path) -> None:
    path.unlink()
    path.mkdir()


def _link(path: Path) -> None:
    target = path.with_name("elsewhere.sqlite3")
    path.rename(target)
    path.symlink_to(target)


@pytest.mark.parametrize("damage", DAMAGE, ids=list(DAMAGE))
def test_damaged_index(cli: Cli, cached: tuple[Path, str], damage: str) -> None:
    index, expected = cached
    DAMAGE[damage](index)
    assert_healed(cli, expected)
    assert index.is_file() and not index.is_symlink()


def test_the_library_says_why_and_does_not_print(
    cached: tuple[Path, str], capsys: pytest.CaptureFixture[str]
) -> None:
    index, _ = cached
    data = bytearray(index.read_bytes())
    data[-100] ^= 0xFF
    index.write_bytes(bytes(data))
    with load_store(MINIMAL) as store:
        assert store.cache_warning is not None and "was damaged" in store.cache_warning
        assert [e.id for e in store.events()]
    assert capsys.readouterr() == ("", "")


def test_cache_clear_removes_only_its_own_files(cli: Cli, cached: tuple[Path, str]) -> None:
    folder = cache_dir()
    foreign = ["notes.sqlite3", "store-mine.sqlite3", "store.sqlite3", "keep.txt"]
    for name in foreign:
        (folder / name).write_text("not the cache's")
    (folder / "store-0123456789abcdef01234567.sqlite3.d").mkdir()
    result = cli("cache", "clear")
    assert result.exit_code == 0
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [*foreign, "store-0123456789abcdef01234567.sqlite3.d"]
    )


def test_leftovers_of_killed_builds_are_removed(cli: Cli, tmp_path: Path) -> None:
    folder = cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    # A killed build leaves its temporary file unlocked; a live one holds its lock.
    dead = folder / ".building-killed.sqlite3"
    dead.write_bytes(os.urandom(1 << 16))
    fd, live = locked_temporary(folder, ".building-", ".sqlite3")
    try:
        assert cli(*COMMAND).exit_code == 0  # a cold run builds an index
        assert not dead.exists() and live.exists()
        dead.write_bytes(b"x")
        clear_cache()
        assert not dead.exists() and live.exists()
    finally:
        os.close(fd)
        live.unlink()
    assert not [p for p in folder.iterdir() if p.name.startswith(".building-")]
