"""Property-based checks of the release reader: no input ends in a traceback, and every valid
release survives writing and reading back unchanged."""

from __future__ import annotations

import datetime
import io
import pathlib
import tempfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from settlecal.domain import CalendarKey, Frequency, Kind, System
from settlecal.errors import SettlecalError
from settlecal.release_format.file import read_release, write_release_csv
from settlecal.release_format.rows import ReleaseRow, kind_cutoffs, kind_dates
from tests.cli.releases import ES_2026, HEADER

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def read_bytes(content: bytes, suffix: str = ".csv") -> object:
    with tempfile.TemporaryDirectory() as folder:
        path = pathlib.Path(folder) / f"release{suffix}"
        path.write_bytes(content)
        return read_release(path)


@SETTINGS
@given(st.binary(max_size=2048))
def test_arbitrary_bytes_are_read_or_rejected_never_crash(content: bytes) -> None:
    try:
        read_bytes(content)
    except SettlecalError as error:
        assert str(error)


# Mutations of a good release: the likely faults are near-misses, not random noise.
GOOD = "\n".join([HEADER, *ES_2026]) + "\n"


@SETTINGS
@given(st.lists(st.tuples(st.integers(0, len(GOOD)), st.text(max_size=8)), max_size=6))
def test_mutated_releases_are_read_or_rejected_never_crash(edits: list[tuple[int, str]]) -> None:
    text = GOOD
    for position, insert in edits:
        text = text[:position] + insert + text[position + 1:]
    try:
        read_bytes(text.encode("utf-8", "surrogatepass"))
    except SettlecalError as error:
        assert str(error)
    except UnicodeEncodeError:
        pass  # a lone surrogate is not text a file can hold


days = st.dates(datetime.date(2000, 1, 1), datetime.date(2090, 12, 31))
optional_days = st.one_of(st.none(), days)
# Codes hold no invisible format characters (soft hyphens, bidi overrides): the reader refuses them.
codes = st.text(st.characters(min_codepoint=33, max_codepoint=0x2FF, exclude_characters='",;', exclude_categories=["Cc", "Cf"]),
                min_size=1, max_size=40).map(str.strip).filter(bool)
calendars = st.builds(
    CalendarKey, st.sampled_from(list(System)), st.sampled_from(["ES", "FR", "DE", "NA", "US"]),
    st.sampled_from(["EUR", "USD", "NAD"]), st.sampled_from(list(Frequency)),
)


@st.composite
def release_rows(draw: st.DrawFn) -> list[ReleaseRow]:
    """Valid rows: distinct, non-overlapping periods per calendar, remittance on or after the end."""
    rows = []
    used: set[tuple[CalendarKey, str]] = set()
    start = draw(days)
    for line in range(2, 2 + draw(st.integers(1, 12))):
        calendar, code = draw(calendars), draw(codes)
        if (calendar, code) in used:
            continue
        used.add((calendar, code))
        end = start + datetime.timedelta(days=draw(st.integers(0, 30)))
        remittance = draw(st.one_of(st.none(), st.just(end + datetime.timedelta(days=draw(st.integers(0, 20))))))
        cutoff = draw(st.one_of(st.none(), st.times().map(lambda t: t.replace(second=0, microsecond=0)))) if remittance else None
        remarks = draw(st.one_of(st.none(), st.text(st.characters(min_codepoint=32, max_codepoint=0x2FF, exclude_categories=["Cc"]), min_size=1, max_size=30).map(str.strip).filter(lambda t: t and t.lower() not in {"n/a", "na"})))
        year = draw(st.one_of(st.none(), st.integers(start.year - 1, end.year + 1)))
        dates = {Kind.SUBMISSION: draw(optional_days), Kind.BILLING: draw(optional_days), Kind.REMITTANCE: remittance,
                 Kind.SETTLEMENT: draw(optional_days), Kind.CORRECTION_CUTOFF: draw(optional_days),
                 Kind.DISPUTE_DEADLINE: draw(optional_days)}
        rows.append(ReleaseRow(line, calendar, code, start, end, kind_dates(dates),
                               kind_cutoffs({Kind.REMITTANCE: cutoff}), remarks, year))
        start = end + datetime.timedelta(days=1)
    return rows


@SETTINGS
@given(release_rows())
def test_valid_releases_round_trip_through_the_release_format(rows: list[ReleaseRow]) -> None:
    buffer = io.StringIO()
    write_release_csv(rows, buffer)

    read = read_bytes(buffer.getvalue().encode("utf-8")).rows  # type: ignore[attr-defined]

    def comparable(row: ReleaseRow) -> tuple[object, ...]:
        return (row.calendar, row.period, row.period_start, row.period_end, row.dates, row.cutoffs,
                row.remarks, row.given_year)

    assert sorted(map(comparable, read), key=repr) == sorted(map(comparable, rows), key=repr)
