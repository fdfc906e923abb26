"""Adding a key-date kind is one row in settlecal.domain.KINDS (plus its translations).

Two proofs. A new `Kind` member cannot be added to the enum at run time, so (1) a fresh interpreter
extends KINDS with one more row before the release format is imported, and reads, writes and
fingerprints a release with the new column; (2) no module outside settlecal/domain.py (and the
migrations, which freeze history) names a kind's column, so none lists the kinds by hand.
"""

from __future__ import annotations

import ast
import datetime as dt
import json
import pathlib
import subprocess
import sys
import textwrap

from settlecal.domain import KINDS, SINGLE_DAY_KINDS, CalendarKey, Frequency, Kind, System
from settlecal.release_format.columns import COLUMNS
from settlecal.release_format.rows import ReleaseRow, kind_cutoffs, kind_dates
from settlecal.releases.diff import row_fingerprint

ROOT = pathlib.Path(__file__).resolve().parents[2]
ES = CalendarKey(System.BSP, "ES", "EUR", Frequency.MONTHLY)

EXTENDED = textwrap.dedent('''
    import io, json, sys
    from settlecal import domain
    from settlecal.domain import KindFacts

    class NewKind(str):  # a Kind member cannot be added at run time; the code only hashes and prints it
        column = "waiver_deadline"

    waiver = KindFacts(NewKind("waiver-deadline"), "waiver_deadline", "waiver_cutoff", "#0f766e",
                       "Waiver deadline", "Waiver request deadline", date_tag="w", cutoff_tag="x")
    domain.KINDS = (*domain.KINDS, waiver)
    domain.KIND_FACTS = {facts.kind: facts for facts in domain.KINDS}
    domain.SINGLE_DAY_KINDS = tuple(facts for facts in domain.KINDS if facts.kind is not domain.Kind.PERIOD)
    domain.CUTOFF_KINDS = tuple(facts for facts in domain.SINGLE_DAY_KINDS if facts.cutoff_column)

    from settlecal.release_format.columns import COLUMNS, KNOWN_COLUMNS
    from settlecal.release_format.file import write_release_csv
    from settlecal.release_format.rows import validate_rows
    from settlecal.releases.diff import row_fingerprint

    def read(text):
        found = validate_rows(enumerate((line.split(",") for line in text.splitlines()), 1))
        assert not found.problems, found.problems
        return found.rows

    def written(rows):
        out = io.StringIO()
        write_release_csv(rows, out)
        return out.getvalue()

    old = sys.argv[1]
    header, row = old.splitlines()
    new = f"{header},waiver_deadline,waiver_cutoff\\n{row},2026-04-20,09:30\\n"
    (plain,), (waived,) = read(old), read(new)
    json.dump({
        "columns": COLUMNS, "known": KNOWN_COLUMNS,
        "old_written": written([plain]), "new_written": written([waived]),
        "old_fingerprint": row_fingerprint(plain), "new_fingerprint": row_fingerprint(waived),
        "key_dates": [[str(kind), str(first), str(cutoff)] for kind, first, _, cutoff in waived.key_dates()],
    }, sys.stdout)
''')

OLD_RELEASE = ",".join(COLUMNS) + "\nBSP,ES,EUR,monthly,2026-03,2026-03-01,2026-03-31,2026-04-01,2026-04-06,2026-04-16,12:00,2026-04-17,,,\n"


def test_a_kind_is_one_more_row_in_kinds() -> None:
    result = subprocess.run([sys.executable, "-c", EXTENDED, OLD_RELEASE], cwd=ROOT, capture_output=True,
                            text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    # A column added since the format's first version is optional: COLUMNS are as before.
    assert tuple(found["columns"]) == COLUMNS
    assert found["known"][-3:] == ["waiver_deadline", "waiver_cutoff", "timezone"]
    # A release without the new kind exports byte for byte as before, and fingerprints as before.
    assert found["old_written"] == OLD_RELEASE
    assert found["old_fingerprint"] == "2026-03-01|2026-03-31|2026-04-01|2026-04-06|2026-04-16|12:00:00|2026-04-17|None|None|None"
    # With it: read, written after the kinds before it, appended to the fingerprint, a key date.
    assert found["new_written"].splitlines()[0] == ",".join([*COLUMNS[:-1], "waiver_deadline", "waiver_cutoff", "remarks"])
    assert found["new_written"].splitlines()[1].endswith(",2026-04-20,09:30,")
    assert found["new_fingerprint"] == found["old_fingerprint"] + "|w2026-04-20|x09:30:00"
    assert found["key_dates"][-1] == ["waiver-deadline", "2026-04-20", "09:30:00"]


def test_fingerprints_keep_the_stored_format() -> None:
    """`period.fingerprint` is persisted: its text must never change for a row (issue 11)."""
    dates = kind_dates({Kind.SUBMISSION: dt.date(2026, 4, 1), Kind.BILLING: dt.date(2026, 4, 6),
                        Kind.REMITTANCE: dt.date(2026, 4, 16), Kind.SETTLEMENT: dt.date(2026, 4, 17),
                        Kind.CORRECTION_CUTOFF: dt.date(2026, 4, 3), Kind.DISPUTE_DEADLINE: dt.date(2026, 5, 5)})
    row = ReleaseRow(2, ES, "2026-03", dt.date(2026, 3, 1), dt.date(2026, 3, 31), dates,
                     kind_cutoffs({Kind.REMITTANCE: dt.time(12)}), "note")
    legacy = "2026-03-01|2026-03-31|2026-04-01|2026-04-06|2026-04-16|12:00:00|2026-04-17|2026-04-03|2026-05-05|note"
    assert row_fingerprint(row) == legacy
    with_submission_cutoff = row.with_kinds(cutoffs={Kind.SUBMISSION: dt.time(14, 30)})
    assert row_fingerprint(with_submission_cutoff) == legacy + "|s14:30:00"
    bare = ReleaseRow(2, ES, "2026-03", dt.date(2026, 3, 1), dt.date(2026, 3, 31), kind_dates({}), kind_cutoffs({}), None)
    assert row_fingerprint(bare) == "2026-03-01|2026-03-31|None|None|None|None|None|None|None|None"


def _kind_names() -> set[str]:
    names = {str(facts.kind) for facts in SINGLE_DAY_KINDS}
    names |= {facts.column for facts in SINGLE_DAY_KINDS}
    names |= {facts.cutoff_column for facts in SINGLE_DAY_KINDS if facts.cutoff_column}
    return names


def test_no_module_but_the_domain_names_a_kind() -> None:
    """No string literal or attribute outside settlecal/domain.py is a kind's name or column: code
    reads them from KINDS (and `Kind.REMITTANCE` where a rule is about that one kind)."""
    names = _kind_names()
    assert {"billing", "dispute_deadline", "remittance_cutoff", "correction-cutoff"} <= names
    found = []
    for package in ("settlecal", "caldav_plugin", "importer", "bench"):
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if relative == "settlecal/domain.py" or "/migrations/" in relative:
                continue
            for node in ast.walk(ast.parse(path.read_text(), relative)):
                named = (node.value if isinstance(node, ast.Constant) and isinstance(node.value, str)
                         else node.attr if isinstance(node, ast.Attribute) else None)
                if named in names:
                    found.append(f"{relative}:{node.lineno}: {named!r}")
    assert found == []


def test_every_kind_is_in_the_table_once() -> None:
    assert [facts.kind for facts in KINDS] == list(Kind)
    tags = [tag for facts in KINDS for tag in (facts.date_tag, facts.cutoff_tag) if tag]
    assert len(tags) == len(set(tags))
