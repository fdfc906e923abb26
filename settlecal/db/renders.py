"""Stored renders (the `calendar_render` table): read by the servers, written once per revision.

A row is derived data keyed by (calendar, variant, revision). Writers keep only the newest revision of
each calendar and variant: a render of an older revision than one already stored is not written (a
server on a lagging replica renders that one for itself), and storing a newer one deletes the older.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy import bindparam, delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from settlecal.db.models import StoredRender


@dataclasses.dataclass(frozen=True, slots=True)
class StoredRow:
    revision: int
    body: bytes
    gzipped: bytes
    events: str


_KEY = (
    (StoredRender.calendar_id == bindparam("calendar_id"))
    & (StoredRender.variant == bindparam("variant"))
)
_COLUMNS = (StoredRender.revision, StoredRender.body, StoredRender.gzipped, StoredRender.events)
_AT = select(*_COLUMNS).where(_KEY, StoredRender.revision == bindparam("revision"))
_BEFORE = (select(*_COLUMNS).where(_KEY, StoredRender.revision < bindparam("revision"))
           .order_by(StoredRender.revision.desc()).limit(1))
_NEWER = select(StoredRender.revision).where(_KEY, StoredRender.revision >= bindparam("revision")).limit(1)
_STORED_AT = select(StoredRender.revision).where(_KEY, StoredRender.revision == bindparam("revision"))
_NEWEST_BEFORE = select(func.max(StoredRender.revision)).where(_KEY, StoredRender.revision < bindparam("revision"))


def stored(session: Session, calendar_id: int, variant: str, revision: int) -> StoredRow | None:
    """The render of this revision, or None."""
    row = session.connection().execute(_AT, _params(calendar_id, variant, revision)).one_or_none()
    return None if row is None else StoredRow(*row)


def is_stored(session: Session, calendar_id: int, variant: str, revision: int) -> bool:
    """Whether this revision's render is stored (without reading its bytes)."""
    return session.connection().execute(_STORED_AT, _params(calendar_id, variant, revision)).first() is not None


def revision_before(session: Session, calendar_id: int, variant: str, revision: int) -> int | None:
    """The revision of `latest_before`'s render (without reading its bytes), or None."""
    found: int | None = session.connection().execute(_NEWEST_BEFORE, _params(calendar_id, variant, revision)).scalar()
    return found


def latest_before(session: Session, calendar_id: int, variant: str, revision: int) -> StoredRow | None:
    """The newest render of an older revision: its unchanged events need no render again."""
    row = session.connection().execute(_BEFORE, _params(calendar_id, variant, revision)).one_or_none()
    return None if row is None else StoredRow(*row)


def save(session: Session, calendar_id: int, variant: str, row: StoredRow) -> bool:
    """Stores a render in the session's write transaction unless this or a newer revision is stored;
    deletes older revisions' renders. Whether it wrote."""
    connection = session.connection()
    params = _params(calendar_id, variant, row.revision)
    if connection.execute(_NEWER, params).first() is not None:
        return False
    connection.execute(delete(StoredRender).where(_KEY, StoredRender.revision < bindparam("revision")), params)
    values = {"calendar_id": calendar_id, "variant": variant, "revision": row.revision, "body": row.body,
              "gzipped": row.gzipped, "events": row.events}
    connection.execute(_insert_ignoring_duplicates(connection.dialect.name).values(**values))
    return True


def _insert_ignoring_duplicates(dialect: str) -> Any:
    # Two servers storing the same render at once: the second one's row is the same bytes.
    if dialect == "postgresql":
        return postgresql.insert(StoredRender).on_conflict_do_nothing()
    return sqlite.insert(StoredRender).on_conflict_do_nothing()


def _params(calendar_id: int, variant: str, revision: int) -> dict[str, Any]:
    return {"calendar_id": calendar_id, "variant": variant, "revision": revision}
