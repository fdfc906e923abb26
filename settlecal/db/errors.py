"""Why a database cannot be used, as data: the edges (the CLI, the server) say it in one line."""

from __future__ import annotations

from settlecal.errors import SettlecalError


class DatabaseError(SettlecalError):
    """Base of the errors about the database as a whole (not about one release or subscriber)."""


class DatabaseMissing(DatabaseError):
    """No database at the URL, and this command does not create one."""

    def __init__(self, where: str) -> None:
        super().__init__(where)
        self.where = where

    def __str__(self) -> str:
        return (f"no database at {self.where}: create it with `settlecal migrate` (or load a release with "
                "`settlecal import FILE`), or point --database / SETTLECAL_DATABASE_URL / [database] url "
                "at the right one")


class DatabaseUnreachable(DatabaseError):
    """The database server did not answer, refused the login, or the file cannot be opened."""

    def __init__(self, where: str, reason: str) -> None:
        super().__init__(where, reason)
        self.where = where
        self.reason = reason

    def __str__(self) -> str:
        return f"cannot reach the database at {self.where}: {self.reason}"


class DriverMissing(DatabaseError):
    """The URL needs a database driver that is not installed."""

    def __init__(self, dialect: str, extra: str) -> None:
        super().__init__(dialect, extra)
        self.dialect = dialect
        self.extra = extra

    def __str__(self) -> str:
        return (f"the {self.dialect} driver is not installed: pip install 'settlecal[{self.extra}]' "
                "(into the environment settlecal runs from)")


class SchemaNotCurrent(DatabaseError):
    """The database's schema is not the one this version of settlecal was built for."""

    def __init__(self, where: str, current: str | None, expected: str) -> None:
        super().__init__(where, current, expected)
        self.where = where
        self.current = current
        self.expected = expected

    def __str__(self) -> str:
        if self.current is None:
            return (f"the database at {self.where} has no settlecal schema: run `settlecal migrate` "
                    "(or `settlecal import FILE`) first")
        return (f"the database at {self.where} is at schema {self.current}, this settlecal needs "
                f"{self.expected}: run `settlecal migrate` against the primary, then start the server again")


class SchemaNewer(SchemaNotCurrent):
    """The database was migrated by a newer settlecal than this one."""

    def __str__(self) -> str:
        return (f"the database at {self.where} is at schema {self.current}, newer than this settlecal "
                f"knows ({self.expected}): upgrade settlecal on this host")
