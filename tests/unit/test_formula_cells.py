"""Issue 13: spreadsheet formulas in remarks are neutralised in every CSV written, and the reader
undoes it, so export → import changes nothing."""

from __future__ import annotations

from hypothesis import given, strategies as st

from settlecal.release_format.cells import neutralised, parse_period, parse_remarks, restored, Fault

ATTACKS = ["=HYPERLINK(\"http://evil.example\",\"click\")", "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0",
           "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "＝1+1", "'=1+1", "''+x"]


def test_formulas_are_written_as_text_and_read_back_unchanged() -> None:
    for attack in ATTACKS:
        written = neutralised(attack)
        assert written.startswith("'") and written[1:] == attack
        assert restored(written) == attack


def test_ordinary_cells_are_written_as_they_are() -> None:
    for text in ["Bank holiday", "2026-03-4", "12:00", "", "'quoted", "O'Brien"]:
        assert neutralised(text) == text and restored(text) == text


@given(st.text())
def test_restored_undoes_neutralised(text: str) -> None:
    assert restored(neutralised(text)) == text
    assert neutralised(text)[:1] not in "=+-@\t\r＝＋－＠" or neutralised(text) == text == ""


def test_characters_xml_cannot_carry_and_invisible_controls_in_codes_are_refused() -> None:
    for remark in ["a\uffffb", "a\ufffeb", "a\x00b", "a\x1bb"]:
        assert isinstance(parse_remarks(remark), Fault), remark
    assert parse_remarks("تاريخ \u200f مهم") == "تاريخ \u200f مهم"  # marks are fine in text
    for code in ["2026-03\u202e4", "2026\u200b-03", "\ufeff2026-03", "2026-03\u2066", "2026\u00ad03", "2026\uffff"]:
        assert isinstance(parse_period(code), Fault), code
