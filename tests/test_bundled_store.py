"""The bundled store holds every milestone of FACTS.md with exactly the precision given."""

from __future__ import annotations

from ruhrtimeline import Event

# FACTS.md, both tables: (EDTF date, precision, partners that must take part, status).
MILESTONES = [
    ("2017", "year", {"gzm"}, "held"),
    ("2018-04", "month", {"nrw"}, "held"),
    ("2018-08-14", "day", {"rvr", "gzm"}, "held"),
    ("2018-08-31", "day", {"nrw"}, "held"),
    ("2018-12/2019-07", "month", {"nrw"}, "held"),
    ("2019-07", "month", {"rvr", "gzm"}, "held"),
    ("2019-08-08/2019-08-09", "day", {"rvr", "gzm"}, "held"),
    ("2019-06~/2019-12~", "month", {"nrw"}, "held"),
    ("2019-11-06", "day", {"nrw"}, "held"),
    ("2020-01~", "month", {"nrw"}, "held"),
    ("2020-02", "month", {"rvr", "bmr", "gzm"}, "held"),
    ("2020-10", "month", {"rvr", "gzm"}, "held"),
    ("2021-06-16", "day", {"gmca", "rvr", "essen", "nrw"}, "held"),
    ("2021-09-02/2021-09-03", "day", {"gmca", "rvr", "nrw"}, "held"),
    ("2022-06-26/2022-06-27", "day", {"gzm", "rvr", "ema"}, "held"),
    (
        "2022-08-31/2022-09-02",
        "day",
        {
            "gmca",
            "pittsburgh",
            "randstad",
            "silesia",
            "tel-aviv",
            "tsukuba",
            "nrw",
            "rvr",
            "ua-ruhr",
        },
        "held",
    ),
    ("2025-01-30T09:00/2025-01-30T11:30", "time", {"rvr", "gzm", "eu-commission", "thga"}, "held"),
    ("2025-06", "month", {"rvr", "gzm", "durham"}, "held"),
    ("2025-06", "month", {"gzm", "rvr"}, "held"),
    ("2025-09", "month", {"gzm", "rvr"}, "held"),
    ("2025-10", "month", {"rvr", "bmr", "gzm"}, "held"),
    ("2026", "year", {"rvr", "gzm"}, "planned"),
    # Further milestones (public pages, not in the seeds).
    ("2021-05-07/2021-05-08", "day", {"rvr", "gzm"}, "held"),
    ("2021-10", "month", {"rvr", "gzm"}, "held"),
    ("2022-09-01", "day", {"nrw", "gmca"}, "held"),
    ("2023-10", "month", {"rvr", "gmca"}, "held"),
    ("2025-05", "month", {"bmr", "gmca"}, "held"),
]


def test_every_milestone_is_there_once(events: list[Event]) -> None:
    unmatched = list(events)
    for date, precision, partners, status in MILESTONES:
        match = next(
            (
                e
                for e in unmatched
                if e.date.text == date and partners <= set(e.partners) and e.status == status
            ),
            None,
        )
        assert match is not None, f"missing milestone {date} {sorted(partners)}"
        assert match.precision == precision
        unmatched.remove(match)
    assert unmatched == []


def test_no_day_is_invented(events: list[Event]) -> None:
    days = {e.date.text for e in events if e.precise}
    allowed = {d for d, p, _, _ in MILESTONES if p in ("day", "time")}
    assert days <= allowed


def test_brussels_conference_has_its_time_zone(events: list[Event]) -> None:
    conference = next(e for e in events if e.precision == "time")
    assert conference.timezone == "Europe/Brussels"


def test_every_event_has_both_languages_and_an_update_date(events: list[Event]) -> None:
    for event in events:
        assert event.summary.de != event.summary.en
        assert event.title.de and event.title.en
        assert event.updated is not None
