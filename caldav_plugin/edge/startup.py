"""What a server checks before it serves: the database exists and has the schema this code needs.

A database that does not answer is no reason to refuse to start (it may be restarting, or the
network may be down): the server starts and answers 503 until it does, as it would mid-run. Nor is a
database a newer settlecal migrated (an upgrade under way, migrations add to the schema): the server
starts, says so, and health reports "degraded" until the host is upgraded. An older schema is.
"""

from __future__ import annotations

import logging
import pathlib

import caldav_plugin
from settlecal.config import Settings
from settlecal.db.engine import shown
from settlecal.version import version
from settlecal.db.availability import open_database
from settlecal.db.errors import DatabaseUnreachable, SchemaNewer

logger = logging.getLogger("settlecal")


def check_database(settings: Settings) -> None:
    """Raises DatabaseMissing, DriverMissing, SchemaNotCurrent or SchemaNewer; logs an unreachable one.

    Logs which settlecal serves which database first: the version, and where its code was imported
    from, so that a checkout shadowing the installed package shows.
    """
    logger.info("settlecal %s from %s serving %s (config %s)", version(), pathlib.Path(caldav_plugin.__file__).parent,
                shown(settings.database_url), settings.file or "none")
    try:
        open_database(settings.database_url, mode="ro", pool=settings.pool)
    except DatabaseUnreachable as error:
        logger.warning("%s; answering 503 until it does", error)
    except SchemaNewer as error:  # an upgrade in progress: migrated, this host not yet upgraded
        logger.warning("%s", error)
