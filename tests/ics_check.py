"""An independent, strict check of RFC 5545 syntax, used beside two parsers in the tests."""

from __future__ import annotations

import re

NAME = re.compile(r"^[A-Za-z0-9-]+$")


def content_lines(data: bytes) -> list[str]:
    """Unfold the lines, checking CRLF endings and the 75-octet limit (RFC 5545 3.1)."""
    assert data.endswith(b"\r\n"), "the stream must end with CRLF"
    raw = data.split(b"\r\n")[:-1]
    for line in raw:
        assert b"\n" not in line and b"\r" not in line, f"bare line break in {line!r}"
        assert len(line) <= 75, f"line longer than 75 octets: {line!r}"
        line.decode("utf-8")  # every line on its own is valid UTF-8 (no split characters)
    unfolded: list[bytes] = []
    for line in raw:
        if line[:1] in (b" ", b"\t"):
            unfolded[-1] += line[1:]
        else:
            unfolded.append(line)
    return [line.decode("utf-8") for line in unfolded]


def check(data: bytes) -> dict[str, list[dict[str, str]]]:
    """Validate structure; return the components' properties (name → raw value) by type."""
    stack: list[str] = []
    found: dict[str, list[dict[str, str]]] = {}
    current: list[dict[str, str]] = []
    for line in content_lines(data):
        # name *(";" param) ":" value, with quoted parameter values allowed
        match = re.match(
            r'^([A-Za-z0-9-]+)((?:;[A-Za-z0-9-]+=(?:"[^"]*"|[^";:,]*)'
            r'(?:,(?:"[^"]*"|[^";:,]*))*)*):(.*)$',
            line,
        )
        assert match, f"not a content line: {line!r}"
        name, value = match.group(1).upper(), match.group(3)
        if any(ord(c) < 32 and c != "\t" for c in value):
            raise AssertionError(f"control character in {line!r}")
        if name == "BEGIN":
            stack.append(value)
            current.append({})
        elif name == "END":
            assert stack and stack[-1] == value, f"END:{value} does not close {stack}"
            stack.pop()
            found.setdefault(value, []).append(current.pop())
        else:
            assert stack, f"property outside a component: {line!r}"
            current[-1].setdefault(name, value)
    assert not stack, f"unclosed components: {stack}"
    calendars = found.get("VCALENDAR", [])
    assert len(calendars) == 1 and {"VERSION", "PRODID"} <= set(calendars[0])
    for event in found.get("VEVENT", []):
        assert {"UID", "DTSTAMP", "DTSTART"} <= set(event), event
    return found
