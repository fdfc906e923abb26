"""Many rows at once, through the driver: what a million-key-date release needs from the database.

SQLAlchemy's executemany of ORM objects costs a Python object per row; COPY (PostgreSQL) and the
driver's own executemany (SQLite) take plain tuples.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Date, Table
from sqlalchemy.orm import Session


def insert(session: Session, table: Table, columns: tuple[str, ...], rows: Iterable[tuple[Any, ...]]) -> None:
    """Inserts many rows of plain values at once, through the driver: COPY on PostgreSQL, one
    executemany on SQLite (whose Date columns hold ISO text, as SQLAlchemy writes them)."""
    connection = session.connection()
    driver = connection.connection.driver_connection
    quote = connection.dialect.identifier_preparer.quote
    names = ", ".join(map(quote, columns))
    if connection.dialect.name == "postgresql":
        with driver.cursor() as cursor, cursor.copy(f"COPY {quote(table.name)} ({names}) FROM STDIN") as copy:  # type: ignore[union-attr]
            for row in rows:
                copy.write_row(row)
        return
    placeholders = ", ".join("?" * len(columns))
    dates = [i for i, name in enumerate(columns) if isinstance(table.c[name].type, Date)]
    cursor = driver.cursor()  # type: ignore[union-attr]
    try:
        cursor.executemany(f"INSERT INTO {quote(table.name)} ({names}) VALUES ({placeholders})",
                           (_iso_dates(row, dates) for row in rows))
    finally:
        cursor.close()


def _iso_dates(row: tuple[Any, ...], dates: list[int]) -> list[Any]:
    values = list(row)
    for index in dates:
        if values[index] is not None:
            values[index] = values[index].isoformat()
    return values
