"""Filters: one EventFilter for every command, with documented period semantics."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import event, write_store
from ruhrtimeline import EventFilter, InvalidValue, NotFound, load_store
from ruhrtimeline.dates import parse_edtf
from ruhrtimeline.query import normalize
from ruhrtimeline.store import Store


@pytest.fixture
def store(tmp_path: Path) -> Store:
    events = [
        event("month-aug-2019", "2019-08"),
        event("day-2019-08-09", "2019-08-09", ["rvr", "gzm"]),
        event("forums", "2018-12/2019-07", topics=["mobility"]),
        event("phase", "2019-06~/2019-12~"),
        event("winter", "2019-24", ["gzm"]),
        event("planned", "2026", ["rvr", "gzm"], status="planned"),
        event("year-2017", "2017", ["gzm"], summary={"de": "Górnośląsko", "en": "Zagłębie"}),
    ]
    return load_store(write_store(tmp_path / "store.yaml", events))


def ids(store: Store, **options: object) -> list[str]:
    return [e.id for e in store.events(EventFilter.build(**options))]  # type: ignore[arg-type]


def test_a_year_includes_everything_that_overlaps_it(store: Store) -> None:
    # The forums (Dec 2018 – Jul 2019) and winter 2019/20 (Dec 2019 – Feb 2020) overlap 2019.
    assert ids(store, year=2019) == [
        "forums",
        "phase",
        "month-aug-2019",
        "day-2019-08-09",
        "winter",
    ]
    assert ids(store, year=2020) == ["winter"]


def test_partial_bounds_cover_their_whole_period(store: Store) -> None:
    assert "month-aug-2019" in ids(store, start="2019-08-09")
    assert ids(store, start="2019-08", end="2019-08") == [
        "phase",
        "month-aug-2019",
        "day-2019-08-09",
    ]
    assert ids(store, end="2019-07") == ["year-2017", "forums", "phase"]
    assert ids(store, start="2020", end="2025") == ["winter"]


def test_bounds_and_year_intersect() -> None:
    flt = EventFilter.build(year=2019, start="2019-06", end="2020-03")
    assert (flt.first, flt.last) == (date(2019, 6, 1), date(2019, 12, 31))


def test_partners_any_or_all_case_insensitive(store: Store) -> None:
    assert ids(store, partners=["GZM"]) == ["year-2017", "day-2019-08-09", "winter", "planned"]
    assert ids(store, partners=["gzm", "rvr"], all_partners=True) == ["day-2019-08-09", "planned"]
    assert len(ids(store, partners=["gzm", "rvr"])) == 7


def test_topics_status_precision(store: Store) -> None:
    assert ids(store, topics=["mobility"]) == ["forums"]
    assert ids(store, statuses=["planned"]) == ["planned"]
    assert ids(store, precisions=["day"]) == ["day-2019-08-09"]
    assert ids(store, precisions=["season", "year"]) == ["year-2017", "winter", "planned"]


def test_search_ignores_case_and_accents_in_both_languages(store: Store) -> None:
    # The summary of year-2017, and the GZM's full name for every event the GZM takes part in.
    with_gzm = ["year-2017", "day-2019-08-09", "winter", "planned"]
    assert ids(store, search="gornoslasko") == with_gzm
    assert ids(store, search="ZAGLEBIE") == ["year-2017"]  # the name has "Zagłębiowska"
    assert ids(store, search="titel forums") == ["forums"]
    assert ids(store, search="essen winter") == ["winter"]
    assert ids(store, search="nothing like this") == []


def test_unknown_ids_are_errors_with_close_matches(store: Store) -> None:
    with pytest.raises(NotFound, match="unknown partner 'gzn'; did you mean gzm"):
        store.check(EventFilter.build(partners=["gzn"]))
    with pytest.raises(NotFound, match="unknown topic 'yuoth'; did you mean youth"):
        store.check(EventFilter.build(topics=["yuoth"]))


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"year": 0}, "year 0"),
        ({"start": "2020", "end": "2019"}, "before it starts"),
        ({"start": "2019-13"}, "month 13"),
        ({"end": "20x5"}, "is not a date"),
        ({"statuses": ["postponed"]}, "unknown status"),
        ({"precisions": ["hour"]}, "unknown precision"),
    ],
)
def test_malformed_values(options: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidValue, match=message) as info:
        EventFilter.build(**options)  # type: ignore[arg-type]
    assert "--" not in str(info.value)  # the library never names a command-line option


def test_search_finds_partners_and_topics_by_any_name(store: Store) -> None:
    assert ids(store, search="gmca") == []  # no event of this store has the GMCA
    assert ids(store, search="Greater Manchester") == []
    assert ids(store, search="GZM") == ids(store, partners=["gzm"])
    assert ids(store, search="mobilität") == ids(store, search="Mobility") == ["forums"]
    assert ids(store, search="mobilitaet") == ["forums"]  # umlauts spelled out
    assert "forums" in ids(store, search="mobility forums")


def test_normalize() -> None:
    assert normalize("Górnośląsko-Zagłębiowska Straße") == "gornoslasko-zaglebiowska strasse"
    assert normalize("Łódź") == "lodz"
    assert normalize("Brüssel") == normalize("Bruessel") == normalize("BRUSSEL")
    assert normalize("Bürgermeister") == normalize("Buergermeister")
    assert normalize("Straße") == normalize("Strasse")


# --- the SQL selection against a brute-force check ---------------------------------------------

DATES = st.one_of(
    st.integers(2015, 2022).map(str),
    st.tuples(st.integers(2015, 2022), st.integers(21, 24)).map(lambda t: f"{t[0]}-{t[1]}"),
    st.tuples(st.integers(2015, 2022), st.integers(1, 12)).map(lambda t: f"{t[0]}-{t[1]:02d}"),
    st.dates(date(2015, 1, 1), date(2022, 12, 31)).map(date.isoformat),
)


@st.composite
def intervals(draw: st.DrawFn) -> str:
    first = draw(DATES)
    if draw(st.booleans()):
        return first
    last = draw(DATES)
    start, end = parse_edtf(first), parse_edtf(last)
    if end.last < start.first:
        first, last = last, first
        start, end = end, start
    if end.last < start.first:
        return first
    return f"{first}/{last}"


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    dates=st.lists(intervals(), min_size=1, max_size=25),
    partners=st.lists(st.sampled_from(["rvr", "gzm", "gmca"]), max_size=2),
    all_partners=st.booleans(),
    bounds=st.tuples(
        st.none() | st.dates(date(2014, 1, 1), date(2023, 12, 31)),
        st.none() | st.dates(date(2014, 1, 1), date(2023, 12, 31)),
    ),
)
def test_sql_selection_equals_a_brute_force_overlap_check(
    dates: list[str],
    partners: list[str],
    all_partners: bool,
    bounds: tuple[date | None, date | None],
) -> None:
    first, last = sorted(bounds, key=lambda d: d or date.min) if all(bounds) else bounds
    members = [["rvr"], ["gzm"], ["rvr", "gzm"], ["gmca", "rvr"]]
    items = [event(f"e{i}", text, list(members[i % len(members)])) for i, text in enumerate(dates)]
    folder = Path(tempfile.mkdtemp())
    with load_store(write_store(folder / "s.yaml", items), use_cache=False) as store:
        flt = EventFilter(
            partners=tuple(dict.fromkeys(partners)),
            all_partners=all_partners,
            first=first,
            last=last,
        )
        selected = [e.id for e in store.events(flt)]
    expected = []
    for i, text in enumerate(dates):
        covered = parse_edtf(text)
        wanted = set(flt.partners)
        has = set(members[i % len(members)])
        if wanted and not (wanted <= has if all_partners else wanted & has):
            continue
        if first is not None and covered.last < first:
            continue
        if last is not None and covered.first > last:
            continue
        expected.append((covered.first, f"e{i}"))
    assert selected == [event_id for _, event_id in sorted(expected)]
