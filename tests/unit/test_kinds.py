"""The one table of key-date kinds: every kind has its facts, and nothing else repeats them."""

from __future__ import annotations

import pathlib
import re

from settlecal.domain import KINDS, Kind
from settlecal.i18n.messages import SPANISH
from tests.conftest import ROOT


def test_every_kind_has_its_facts_in_order() -> None:
    assert [facts.kind for facts in KINDS] == list(Kind)
    assert all(kind.facts.kind is kind for kind in Kind)


def test_columns_and_colours_are_distinct() -> None:
    columns = [facts.column for facts in KINDS] + [facts.cutoff_column for facts in KINDS if facts.cutoff_column]
    assert len(columns) == len(set(columns))
    assert len({facts.colour for facts in KINDS}) == len(KINDS)


def test_every_label_and_term_is_translated() -> None:
    words = {facts.label for facts in KINDS} | {facts.term for facts in KINDS}
    assert sorted(words - set(SPANISH)) == []


def test_no_module_spells_a_kind_label_but_the_table() -> None:
    """A kind's English words appear in code only in the domain and the catalogues (label drift)."""
    labels = {facts.term for facts in KINDS if " " in facts.term}
    pattern = re.compile("|".join(re.escape(label) for label in sorted(labels)))
    allowed = {ROOT / "settlecal" / "domain.py", *(ROOT / "settlecal" / "i18n").rglob("*")}
    offenders = [
        path.relative_to(ROOT).as_posix()
        for package in ("settlecal", "caldav_plugin", "importer")
        for path in pathlib.Path(ROOT / package).rglob("*")
        if path.is_file() and path.suffix in {".py", ".html", ".j2"} and path not in allowed
        and pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
