"""Real calendar software as test oracles: what icalendar, ical, vobject and Radicale make of
a calendar.

* `read_all` gives, per consumer, each VEVENT's UID, start and end, normalised: a `date` for
  DATE values, an aware UTC `datetime` for DATE-TIME values (naive only for floating times),
  and None for an end the consumer does not know.
* `read_texts` and `calendar_names`: each VEVENT's texts and the calendar's name as each
  consumer unescapes them.
* `zone_tzinfos` / `zone_offsets`: each consumer's own interpretation of one VTIMEZONE.
* `radicale` (fixture): a real Radicale CalDAV server on loopback, with a small client that
  creates calendars, stores a feed one event per resource (or whole, as a collection, which
  names it after the feed's X-WR-CALNAME), reads a collection's name, and runs
  ``calendar-query`` REPORTs with a ``time-range`` filter (RFC 4791 7.8, 9.9).

Consumer habits that shape these helpers (each is shown by tests/test_consumers.py):

* icalendar and ical never read a VTIMEZONE whose TZID is an IANA name: they take the zone
  from their own copy of the tz database.  A test of the VTIMEZONE itself must therefore
  rename the TZIDs (`private_tzids`, the default of `read_all`), or it could not fail.
* vobject keeps one TZID registry per process in which the first definition wins (Radicale
  parses with vobject, so the same holds per server process); icalendar caches custom TZIDs
  the same way.  `read_all` clears vobject's registry before each read, and `private_tzids`
  gives every call names of its own.
* vobject 0.9.9 keeps only the first value of a comma-separated RDATE inside STANDARD and
  DAYLIGHT (it treats RDATE there as plain text and splits at the comma); so does Radicale.
* vobject compares each VTIMEZONE with UTC from 2000 to 2019 and, if they agree, does not
  register its TZID: a time in it floats, unless pytz knows the name (so Europe/London
  described only from 2021 on loses its summer time under a private TZID).
* ical ignores the DTSTART of a STANDARD/DAYLIGHT block that no RDATE or RRULE repeats, and
  its tzinfo has no fold-aware ``fromutc``: converting an instant of the repeated hour after
  a fall-back gives the wrong wall time whatever the VTIMEZONE says.
* ical splits CATEGORIES at every comma, escaped or not (RFC 5545 3.8.1.2 separates values
  only at unescaped ones), so it cannot read a category with a comma in it.
* icalendar does not know RFC 7986's NAME (nor X-WR-CALNAME) as TEXT and hands its value
  over still escaped; `calendar_names` asks ical and vobject, which unescape it.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import http.client
import importlib.util
import itertools
import re
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import icalendar
import pytest
import vobject  # type: ignore[import-untyped]
from ical.calendar_stream import IcsCalendarStream
from ical.timezone import IcsTimezoneInfo

Moment = date | datetime
CONSUMERS = ("icalendar", "ical", "vobject")
_CALDAV = "urn:ietf:params:xml:ns:caldav"
_TIMEOUT = 10.0  # seconds for any one HTTP exchange with Radicale
_names = itertools.count(1)


@dataclass(frozen=True)
class Seen:
    """One VEVENT as a consumer understood it."""

    uid: str
    start: Moment
    end: Moment | None


def moment(value: object) -> Moment:
    """A consumer's date or date-time, normalised for comparison."""
    if isinstance(value, datetime):
        return value if value.tzinfo is None else value.astimezone(UTC)
    if isinstance(value, date):
        return value
    raise TypeError(f"not a date or date-time: {value!r}")


def with_rfc_end(seen: Seen) -> Seen:
    """The event with the end RFC 5545 3.6.1 implies where the consumer gave none: the
    next day for a DATE start, the start itself for a DATE-TIME start."""
    if seen.end is not None:
        return seen
    if isinstance(seen.start, datetime):
        return Seen(seen.uid, seen.start, seen.start)
    return Seen(seen.uid, seen.start, seen.start + timedelta(days=1))


# --- content lines ------------------------------------------------------------------------


def physical_groups(data: bytes) -> list[bytes]:
    """The raw bytes of each content line, folds included (CRLF or LF line ends)."""
    groups: list[bytes] = []
    for line in data.splitlines(keepends=True):
        if line[:1] in (b" ", b"\t") and groups:
            groups[-1] += line
        elif line.strip():
            groups.append(line)
    return groups


def unfold(raw: bytes) -> str:
    """One content line's text, unfolded."""
    return re.sub(r"\r?\n[ \t]", "", raw.decode("utf-8")).rstrip("\r\n")


def split_line(line: str) -> tuple[str, list[tuple[str, str]], str]:
    """Name, parameters (name, raw value) and value of an unfolded content line."""
    quoted = False
    for index, char in enumerate(line):
        if char == '"':
            quoted = not quoted
        elif char == ":" and not quoted:
            head, value = line[:index], line[index + 1 :]
            break
    else:
        raise ValueError(f"not a content line: {line!r}")
    parts = re.findall(r'(?:[^;"]|"[^"]*")+', head)
    params = [part.partition("=") for part in parts[1:]]
    return parts[0], [(key, raw) for key, _, raw in params], value


def _fold(line: str) -> bytes:
    """A content line folded at 75 octets, never inside a UTF-8 sequence."""
    data = line.encode("utf-8")
    chunks: list[bytes] = []
    limit = 75
    while len(data) > limit:
        cut = limit
        while data[cut] & 0xC0 == 0x80:
            cut -= 1
        chunks.append(data[:cut])
        data, limit = data[cut:], 74
    return b"\r\n ".join([*chunks, data]) + b"\r\n"


def private_tzids(data: bytes) -> bytes:
    """The calendar with every TZID (VTIMEZONE and parameters) renamed to a name unique in
    this process that no consumer knows, so that each must use the calendar's VTIMEZONEs."""
    mapping: dict[str, str] = {}

    def rename(name: str) -> str:
        bare = name.strip('"')
        if bare not in mapping:
            mapping[bare] = f"X-RT{next(_names)}-{bare}"
        return f'"{mapping[bare]}"' if name.startswith('"') else mapping[bare]

    out: list[bytes] = []
    for raw in physical_groups(data):
        line = unfold(raw)
        name, params, value = split_line(line)
        touched = any(k.upper() == "TZID" for k, _ in params) or name.upper() == "TZID"
        if not touched:
            out.append(raw)
            continue
        if name.upper() == "TZID":
            value = rename(value)
        head = ";".join(
            [name] + [f"{k}={rename(v) if k.upper() == 'TZID' else v}" for k, v in params]
        )
        out.append(_fold(f"{head}:{value}"))
    return b"".join(out)


# --- the parsing consumers ----------------------------------------------------------------


def read_icalendar(data: bytes) -> list[Seen]:
    """icalendar: ``Calendar.from_ical``, its VEVENTs (``walk``); ``end`` as RFC 5545 3.6.1."""
    calendar = icalendar.Calendar.from_ical(data)
    seen: list[Seen] = []
    for event in calendar.events:
        try:
            end: Moment | None = moment(event.end)
        except icalendar.IncompleteComponent:
            end = None
        seen.append(Seen(str(event["UID"]), moment(event.start), end))
    return seen


def read_ical(data: bytes) -> list[Seen]:
    """The ``ical`` package: ``IcsCalendarStream.calendar_from_ics``."""
    calendar = IcsCalendarStream.calendar_from_ics(data.decode("utf-8"))
    return [Seen(str(e.uid), moment(e.dtstart), moment(e.end)) for e in calendar.events]


def _fresh_vobject() -> None:
    """Forget the TZIDs earlier reads registered (vobject keeps the first one for good)."""
    registry: dict[str, Any] = vars(vobject.icalendar)["__tzidMap"]
    for key in [k for k in registry if k != "UTC"]:
        del registry[key]


def read_vobject(data: bytes) -> list[Seen]:
    """vobject: ``readOne``; no end unless DTEND or DURATION says it."""
    _fresh_vobject()
    calendar = vobject.readOne(data.decode("utf-8"))
    seen: list[Seen] = []
    for event in calendar.contents.get("vevent", []):
        start = event.dtstart.value
        end: Moment | None = None
        if "dtend" in event.contents:
            end = moment(event.dtend.value)
        elif "duration" in event.contents:
            end = moment(start + event.duration.value)
        seen.append(Seen(str(event.uid.value), moment(start), end))
    return seen


@dataclass(frozen=True)
class Texts:
    """A VEVENT's texts as a consumer unescaped them."""

    summary: str
    description: str
    location: str | None
    url: str
    categories: tuple[str, ...]


def _icalendar_texts(data: bytes) -> dict[str, Texts]:
    found: dict[str, Texts] = {}
    for event in icalendar.Calendar.from_ical(data).events:
        lists = event.get("CATEGORIES", [])
        lists = lists if isinstance(lists, list) else [lists]
        location = event.get("LOCATION")
        found[str(event["UID"])] = Texts(
            str(event["SUMMARY"]),
            str(event["DESCRIPTION"]),
            None if location is None else str(location),
            str(event["URL"]),
            tuple(str(c) for values in lists for c in values.cats),
        )
    return found


def _ical_texts(data: bytes) -> dict[str, Texts]:
    calendar = IcsCalendarStream.calendar_from_ics(data.decode("utf-8"))
    return {
        str(e.uid): Texts(
            str(e.summary),
            str(e.description),
            e.location,
            str(e.url),
            tuple(e.categories),
        )
        for e in calendar.events
    }


def _vobject_texts(data: bytes) -> dict[str, Texts]:
    _fresh_vobject()
    found: dict[str, Texts] = {}
    for event in vobject.readOne(data.decode("utf-8")).contents.get("vevent", []):
        contents = event.contents
        found[str(event.uid.value)] = Texts(
            event.summary.value,
            event.description.value,
            event.location.value if "location" in contents else None,
            event.url.value,
            tuple(c for line in contents.get("categories", []) for c in line.value),
        )
    return found


def read_texts(data: bytes) -> dict[str, dict[str, Texts]]:
    """Per consumer, each VEVENT's texts by UID."""
    return {
        "icalendar": _icalendar_texts(data),
        "ical": _ical_texts(data),
        "vobject": _vobject_texts(data),
    }


def calendar_names(data: bytes) -> dict[str, list[str]]:
    """The calendar's NAME and X-WR-CALNAME, as ical and vobject read them (see above)."""
    text = data.decode("utf-8")
    _fresh_vobject()
    calendar = vobject.readOne(text)
    return {
        "ical": [*IcsCalendarStream.calendar_from_ics(text).name],
        "vobject": [line.value for line in calendar.contents["name"]]
        + [line.value for line in calendar.contents["x-wr-calname"]],
    }


READERS: dict[str, Callable[[bytes], list[Seen]]] = {
    "icalendar": read_icalendar,
    "ical": read_ical,
    "vobject": read_vobject,
}


def read_all(data: bytes, *, private: bool = True) -> dict[str, list[Seen]]:
    """What every consumer sees; ``private`` first renames the TZIDs (`private_tzids`) so
    the calendar's own VTIMEZONEs decide, as RFC 5545 says they do."""
    if private:
        data = private_tzids(data)
    return {name: reader(data) for name, reader in READERS.items()}


def calendar_of(*components: bytes) -> bytes:
    """A VCALENDAR around already serialised components."""
    head = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//ruhrtimeline//tests//EN\r\n"
    return head + b"".join(components) + b"END:VCALENDAR\r\n"


def zone_tzinfos(vtimezone: bytes) -> dict[str, tzinfo]:
    """Each consumer's tzinfo built from one VTIMEZONE (under a private TZID)."""
    data = private_tzids(calendar_of(vtimezone))
    text = data.decode("utf-8")
    _fresh_vobject()
    return {
        "icalendar": icalendar.Calendar.from_ical(data).timezones[0].to_tz(lookup_tzid=False),
        "ical": IcsTimezoneInfo.from_timezone(
            IcsCalendarStream.calendar_from_ics(text).timezones[0]
        ),
        "vobject": vobject.readOne(text).vtimezone.gettzinfo(),
    }


def zone_offsets(vtimezone: bytes, instants: Sequence[datetime]) -> dict[str, list[timedelta]]:
    """The UTC offset each consumer gives each instant (its own UTC-to-local conversion)."""
    offsets: dict[str, list[timedelta]] = {}
    for name, zone in zone_tzinfos(vtimezone).items():
        found: list[timedelta] = []
        for instant in instants:
            offset = instant.astimezone(zone).utcoffset()
            assert offset is not None
            found.append(offset)
        offsets[name] = found
    return offsets


# --- Radicale -----------------------------------------------------------------------------


def components(data: bytes) -> tuple[list[bytes], list[tuple[str, list[bytes]]]]:
    """The VCALENDAR's own content lines and its components (kind, raw lines with folds)."""
    head: list[bytes] = []
    found: list[tuple[str, list[bytes]]] = []
    depth = 0
    for raw in physical_groups(data):
        name, _, value = split_line(unfold(raw))
        upper = name.upper()
        if upper == "BEGIN":
            depth += 1
            if depth == 2:
                found.append((value.upper(), []))
        if depth >= 2:
            found[-1][1].append(raw)
        elif depth == 1 and upper != "BEGIN":
            head.append(raw)
        if upper == "END":
            depth -= 1
    return head, found


def _first(lines: list[bytes], wanted: str) -> str:
    """The value of property ``wanted`` of the component itself (not of a nested one)."""
    depth = 0
    for raw in lines:
        name, _, value = split_line(unfold(raw))
        upper = name.upper()
        depth += (upper == "BEGIN") - (upper == "END")
        if depth == 1 and upper == wanted:
            return value
    raise ValueError(f"component without {wanted}")


def split_feed(data: bytes) -> list[tuple[str, bytes]]:
    """One calendar per UID, each with the VTIMEZONEs its events name (CalDAV allows one UID
    a resource and no METHOD, RFC 4791 4.1)."""
    head, parts = components(data)
    keep = [r for r in head if split_line(unfold(r))[0].upper() in ("VERSION", "PRODID")]
    zones = {_first(lines, "TZID"): lines for kind, lines in parts if kind == "VTIMEZONE"}
    events: dict[str, list[list[bytes]]] = {}
    for kind, lines in parts:
        if kind == "VEVENT":
            events.setdefault(_first(lines, "UID"), []).append(lines)
    found: list[tuple[str, bytes]] = []
    for uid, blocks in events.items():
        names: dict[str, None] = {}
        for raw in itertools.chain.from_iterable(blocks):
            for key, value in split_line(unfold(raw))[1]:
                if key.upper() == "TZID":
                    names[value.strip('"')] = None
        body = [raw for name in names if name in zones for raw in zones[name]]
        body += itertools.chain.from_iterable(blocks)
        text = b"BEGIN:VCALENDAR\r\n" + b"".join(keep + body) + b"END:VCALENDAR\r\n"
        found.append((uid, text))
    return found


def utc_text(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


@dataclass
class Radicale:
    """A client for one running Radicale server (plain HTTP on loopback)."""

    port: int
    user: str = "ruhrtimeline"

    def request(
        self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        token = base64.b64encode(f"{self.user}:".encode()).decode()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=_TIMEOUT)
        try:
            connection.request(
                method, path, body, {"Authorization": f"Basic {token}", **(headers or {})}
            )
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def make_calendar(self, name: str) -> str:
        """Create the calendar collection ``/<user>/<name>/`` (MKCALENDAR) and return it."""
        path = f"/{self.user}/{name}/"
        status, body = self.request("MKCALENDAR", path)
        if status != 201:
            raise AssertionError(f"MKCALENDAR {path}: {status} {body[:200]!r}")
        return path

    def put(self, collection: str, uid: str, data: bytes) -> None:
        name = hashlib.sha256(uid.encode()).hexdigest()[:32]
        status, body = self.request(
            "PUT",
            f"{collection}{name}.ics",
            data,
            {"Content-Type": "text/calendar; charset=utf-8", "If-None-Match": "*"},
        )
        if status != 201:
            raise AssertionError(f"PUT {uid}: {status} {body[:300]!r}\n{data.decode()}")

    def put_calendar(self, name: str, data: bytes) -> str:
        """Store a whole feed as the new collection ``/<user>/<name>/``, as Radicale takes
        a calendar that a client uploads; return the collection."""
        path = f"/{self.user}/{name}/"
        status, body = self.request(
            "PUT", path, data, {"Content-Type": "text/calendar; charset=utf-8"}
        )
        if status != 201:
            raise AssertionError(f"PUT {path}: {status} {body[:300]!r}")
        return path

    def display_name(self, collection: str) -> str:
        """The collection's ``displayname`` (PROPFIND)."""
        body = (
            b'<?xml version="1.0" encoding="utf-8"?>'
            b'<D:propfind xmlns:D="DAV:"><D:prop><D:displayname/></D:prop></D:propfind>'
        )
        status, answer = self.request(
            "PROPFIND",
            collection,
            body,
            {"Depth": "0", "Content-Type": "application/xml; charset=utf-8"},
        )
        if status != 207:
            raise AssertionError(f"PROPFIND {collection}: {status} {answer[:300]!r}")
        node = ElementTree.fromstring(answer).find(".//{DAV:}displayname")
        if node is None or node.text is None:
            raise AssertionError(f"{collection} has no displayname: {answer[:300]!r}")
        return node.text

    def put_feed(self, collection: str, data: bytes) -> list[str]:
        """Store every VEVENT of a feed as its own resource; return the UIDs."""
        parts = split_feed(data)
        for uid, part in parts:
            self.put(collection, uid, part)
        return [uid for uid, _ in parts]

    def query(self, collection: str, start: datetime, end: datetime) -> set[str]:
        """The UIDs of the events that a ``time-range`` query finds in [start, end)."""
        body = (
            '<?xml version="1.0" encoding="utf-8"?>'
            f'<C:calendar-query xmlns:D="DAV:" xmlns:C="{_CALDAV}">'
            "<D:prop><C:calendar-data/></D:prop>"
            '<C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">'
            f'<C:time-range start="{utc_text(start)}" end="{utc_text(end)}"/>'
            "</C:comp-filter></C:comp-filter></C:filter></C:calendar-query>"
        ).encode()
        status, answer = self.request(
            "REPORT",
            collection,
            body,
            {"Depth": "1", "Content-Type": "application/xml; charset=utf-8"},
        )
        if status != 207:
            raise AssertionError(f"REPORT {collection}: {status} {answer[:300]!r}")
        uids: set[str] = set()
        for node in ElementTree.fromstring(answer).iter(f"{{{_CALDAV}}}calendar-data"):
            for raw in physical_groups((node.text or "").encode()):
                name, _, value = split_line(unfold(raw))
                if name.upper() == "UID":
                    uids.add(value)
        return uids


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextlib.contextmanager
def running_radicale(folder: Path, timeout: float = 30.0) -> Iterator[Radicale]:
    """Run Radicale on a free loopback port with storage in ``folder``, no authentication
    (any user name is accepted) and no web interface; stop it afterwards."""
    port = _free_port()
    config = folder / "config"
    config.write_text(
        "[server]\n"
        f"hosts = 127.0.0.1:{port}\n"
        "timeout = 10\n"
        "delay_on_error = 0.01\n"
        "[auth]\ntype = none\n"
        "[rights]\ntype = authenticated\n"
        f"[storage]\nfilesystem_folder = {folder / 'storage'}\n"
        "[web]\ntype = none\n"
        "[logging]\nlevel = warning\n",
        encoding="utf-8",
    )
    log = (folder / "radicale.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "radicale", "--config", str(config)],
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=folder,
    )
    client = Radicale(port)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(
                    f"Radicale exited with {process.returncode}: "
                    + (folder / "radicale.log").read_text(errors="replace")[-2000:]
                )
            try:
                client.request("OPTIONS", "/")
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"Radicale did not answer within {timeout} s") from None
                time.sleep(0.05)
        yield client
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.close()


@pytest.fixture(scope="session")
def radicale(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Radicale]:
    """A running Radicale server for the whole session (skipped without radicale)."""
    if importlib.util.find_spec("radicale") is None:
        pytest.skip("radicale is not installed: pip install '.[test]' brings it")
    with running_radicale(tmp_path_factory.mktemp("radicale")) as server:
        yield server
