"""XLSX releases read as a stream, within bounds checked before and while parsing.

Before anything is parsed, the zip's own directory must declare a workbook of bounded size and
expansion (a few MB that expand to gigabytes is a decompression bomb). openpyxl then reads the
workbook's small parts (shared strings, styles), and the first worksheet is parsed here with expat,
row by row: a row number far past the data is an error rather than a million filler rows, cells
beyond `max_columns` and long cells are refused as they arrive, and entity declarations (the
'billion laughs') are refused outright. zipfile itself stops each part at its declared size.
"""

from __future__ import annotations

import datetime
import zipfile
from collections.abc import Iterator, Sequence
from typing import IO, Any, BinaryIO
from xml.parsers import expat

from settlecal.errors import ReleaseFormatUnknown, ReleaseTooLarge
from settlecal.release_format.cells import Cell
from settlecal.release_format.limits import MIB, Limits, sized

_CHUNK = 1 << 16
_MAX_PARTS = 10_000
_PROLOG = 1 << 16  # bytes of each part searched for a document type declaration
_WORKSHEETS = "xl/worksheets/"


def xlsx_records(file: str, fp: BinaryIO, limits: Limits) -> Iterator[tuple[int, Sequence[Cell]]]:
    """(sheet row, cell values) of the first worksheet, for the rows that have cells."""
    _check_directory(file, fp)
    try:
        archive = zipfile.ZipFile(fp)
    except (zipfile.BadZipFile, ValueError, OSError, EOFError) as error:
        raise ReleaseFormatUnknown(file, f"expected an XLSX workbook, got an unreadable file ({error})") from error
    with archive:
        _check_parts(file, archive, limits)
        fp.seek(0)
        reader, sheet_path = _workbook(file, fp)
        try:
            with archive.open(sheet_path) as source:
                yield from _SheetReader(file, reader.wb, reader.shared_strings, limits).rows(source)
        except (zipfile.BadZipFile, KeyError, EOFError, OSError) as error:
            raise ReleaseFormatUnknown(file, f"expected an XLSX workbook, got a broken one ({error})") from error
        finally:
            reader.archive.close()


def _check_directory(file: str, fp: BinaryIO) -> None:
    """Refuses a zip whose directory alone would fill memory (a million tiny parts)."""
    try:
        end = zipfile._EndRecData(fp)  # type: ignore[attr-defined]  # the one way to count parts before reading them
    except (OSError, ValueError):
        end = None
    if end is not None and end[zipfile._ECD_ENTRIES_TOTAL] > _MAX_PARTS:  # type: ignore[attr-defined]
        count = end[zipfile._ECD_ENTRIES_TOTAL]  # type: ignore[attr-defined]
        raise ReleaseTooLarge(file, f"expected a workbook of at most {_MAX_PARTS:,} parts, got a zip of {count:,}")
    fp.seek(0)


def _check_parts(file: str, archive: zipfile.ZipFile, limits: Limits) -> None:
    total = 0
    for info in archive.infolist():
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > MIB and ratio > limits.max_ratio:
            raise ReleaseTooLarge(file, f"expected a workbook, got part {info.filename!r} that expands "
                                        f"{ratio:,.0f}-fold to {sized(info.file_size)} (a decompression bomb?)")
        if not info.filename.startswith(_WORKSHEETS) and info.file_size > limits.max_part:
            raise ReleaseTooLarge(file, f"expected part {info.filename!r} to expand to at most "
                                        f"{sized(limits.max_part)}, got {sized(info.file_size)}")
    if total > limits.max_expanded:
        raise ReleaseTooLarge(file, f"expected a workbook that expands to at most {sized(limits.max_expanded)}, "
                                    f"got {sized(total)}")
    for info in archive.infolist():
        with archive.open(info) as part:
            head = part.read(_PROLOG)
        if b"<!DOCTYPE" in head or b"<!ENTITY" in head:  # no XLSX part has one: entity bombs do
            reason = (f"expected an XLSX workbook, got part {info.filename!r} declaring XML entities "
                      "(a 'billion laughs' bomb?)")
            raise ReleaseFormatUnknown(file, reason)


def _workbook(file: str, fp: BinaryIO) -> tuple[Any, str]:
    """openpyxl's reader of the workbook's small parts (shared strings, styles: what cells need), and the
    path of the first worksheet. Not `load_workbook`: even read-only, it parses every worksheet whole
    once just to find its dimensions."""
    import openpyxl.reader.excel  # here, not at the top: it costs every command 70 ms and only XLSX needs it
    from defusedxml import DefusedXmlException
    from openpyxl.styles.stylesheet import apply_stylesheet

    try:
        reader = openpyxl.reader.excel.ExcelReader(fp, read_only=True, data_only=True)
        reader.read_manifest()
        reader.read_strings()
        reader.read_workbook()
        apply_stylesheet(reader.archive, reader.wb)
        sheets = [rel.target for _, rel in reader.parser.find_sheets()
                  if rel.target in reader.valid_files and "chartsheet" not in rel.Type]
    except DefusedXmlException as error:  # entities declared past the part's first bytes
        reason = "expected an XLSX workbook, got XML that declares entities (a 'billion laughs' bomb?)"
        raise ReleaseFormatUnknown(file, reason) from error
    except MemoryError:
        raise
    except Exception as error:  # openpyxl raises whatever zipfile or its XML parser raised
        reason = f"expected an XLSX workbook, got an unreadable file ({type(error).__name__}: {error})"
        raise ReleaseFormatUnknown(file, reason) from error
    if not sheets:
        reader.archive.close()
        raise ReleaseFormatUnknown(file, "expected a workbook with a worksheet, got none")
    return reader, sheets[0]


def _column(reference: str) -> int:
    number = 0
    for char in reference:
        if "A" <= char <= "Z":
            number = number * 26 + ord(char) - 64
        else:
            break
    return number


class _SheetReader:
    """Expat handlers that turn a worksheet's XML into (row, cells), in bounded memory."""

    def __init__(self, file: str, workbook: Any, shared: Sequence[str], limits: Limits):
        self.file, self.limits, self.shared = file, limits, shared
        self.epoch = workbook.epoch
        self.date_styles, self.duration_styles = workbook._date_formats, workbook._timedelta_formats
        self.ready: list[tuple[int, Sequence[Cell]]] = []
        self.row, self.cells = 0, {}  # type: tuple[int, dict[int, Cell]]
        self.column, self.kind, self.style = 0, "n", 0
        self.text: list[str] | None = None  # the text of a cell's <v> or <t> elements
        self.collecting = False
        self.length = 0

    def rows(self, source: IO[bytes]) -> Iterator[tuple[int, Sequence[Cell]]]:
        parser = expat.ParserCreate(namespace_separator=" ")
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.EntityDeclHandler = self._entity
        parser.StartElementHandler, parser.EndElementHandler = self._start, self._end
        parser.CharacterDataHandler = self._data
        expanded = since_tag = 0
        while chunk := source.read(_CHUNK):
            expanded += len(chunk)
            if expanded > self.limits.max_expanded:
                self._refuse(f"expected the worksheet to expand to at most {sized(self.limits.max_expanded)}")
            end = chunk.rfind(b">")
            since_tag = since_tag + len(chunk) if end < 0 else len(chunk) - end - 1
            if since_tag > self.limits.max_line:  # 3 GB of spaces, or one endless tag
                self._refuse(f"expected XML with markup at least every {sized(self.limits.max_line)}, "
                             "got a longer run (a decompression bomb?)")
            try:
                parser.Parse(chunk, False)
            except expat.ExpatError as error:
                self._broken(error)
            yield from self.ready
            self.ready.clear()
        try:
            parser.Parse(b"", True)
        except expat.ExpatError as error:
            self._broken(error)
        yield from self.ready

    def _refuse(self, reason: str, column: int | None = None) -> None:
        raise ReleaseTooLarge(self.file, reason, self.row or None, column)

    def _broken(self, error: expat.ExpatError) -> None:
        reason = f"expected an XLSX workbook, got a broken worksheet ({expat.ErrorString(error.code)})"
        raise ReleaseFormatUnknown(self.file, reason, self.row or None) from error

    def _entity(self, name: str, *_: object) -> None:
        raise ReleaseFormatUnknown(self.file, f"expected an XLSX worksheet, got XML that declares entity "
                                              f"{name!r} (a 'billion laughs' bomb?)")

    def _start(self, tag: str, attributes: dict[str, str]) -> None:
        name = tag.rpartition(" ")[2]
        if name == "row":
            self._start_row(attributes.get("r"))
        elif name == "c":
            reference = attributes.get("r")
            self.column = _column(reference) if reference else self.column + 1
            self.kind, self.style = attributes.get("t", "n"), int(attributes.get("s", 0) or 0)
            self.text, self.length = None, 0
        elif name in ("v", "t") and self.column:
            self.text, self.collecting = self.text or [], True

    def _start_row(self, number: str | None) -> None:
        try:
            row = int(number) if number is not None else self.row + 1
        except ValueError:
            self._refuse(f"expected a row number, got {number!r}")
        if row > self.limits.max_sheet_row:
            self._refuse(f"expected sheet rows up to {self.limits.max_sheet_row:,}, got row {row:,}")
        if row <= self.row:
            self._refuse(f"expected rows in order, got row {row:,} after row {self.row:,}")
        if row - self.row > self.limits.max_row_gap:
            self._refuse(f"expected the next row within {self.limits.max_row_gap:,} rows, got row {row:,} "
                         f"(a row number far past the data)")
        self.row, self.cells, self.column = row, {}, 0

    def _data(self, data: str) -> None:
        if not self.collecting or self.text is None:
            return
        self.length += len(data)
        if self.length > self.limits.max_cell:
            self._refuse(f"expected a cell of at most {self.limits.max_cell:,} characters, got a longer one",
                         self.column)
        self.text.append(data)

    def _end(self, tag: str) -> None:
        name = tag.rpartition(" ")[2]
        if name in ("v", "t"):
            self.collecting = False
        elif name == "c":
            self._end_cell()
        elif name == "row":
            if self.cells:
                width = max(self.cells)
                self.ready.append((self.row, tuple(self.cells.get(i) for i in range(1, width + 1))))
            self.column = 0

    def _end_cell(self) -> None:
        if self.text is None:
            return
        value = self._value("".join(self.text))
        self.text = None
        if value is None or (isinstance(value, str) and not value.strip()):
            return
        if self.column > self.limits.max_columns:
            self._refuse(f"expected at most {self.limits.max_columns} columns, got a cell in column "
                         f"{self.column:,}", self.column)
        self.cells[self.column] = value

    def _value(self, text: str) -> Cell:
        from openpyxl.utils.datetime import from_excel, from_ISO8601

        kind = self.kind
        if kind in ("inlineStr", "str", "e"):
            return text
        if not text:
            return None
        try:
            if kind == "s":
                return self.shared[int(text)]
            if kind == "b":
                return bool(int(text))  # a bool is an int, which Cell allows
            if kind == "d":
                return from_ISO8601(text)  # type: ignore[no-any-return,unused-ignore]
            number: int | float = int(text) if text.lstrip("-").isdigit() else float(text)
            if self.style in self.date_styles:
                found: datetime.datetime | datetime.timedelta = from_excel(
                    number, self.epoch, timedelta=self.style in self.duration_styles)
                return found
            return number
        except (ValueError, IndexError, OverflowError, TypeError):
            return text  # shown as found: the rows say what they expected
