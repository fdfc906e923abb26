"""Reminder durations as subscription links give them (`alarm=P1D`) and iCalendar writes them.

Pure, no I/O: the portal's parameter parser (settlecal.filters) and the timed renderer
(settlecal.formats.timed) both read them here.
"""

from __future__ import annotations

import datetime
import re
from typing import Final

MAX_ALARM: Final = datetime.timedelta(days=30)
ALARM_EXPECTED: Final = "an ISO 8601 duration such as P1D, PT2H or P2DT3H, at most P30D"
# RFC 5545's durations (ISO 8601 without years and months, whose length varies): weeks, or days and
# a time part. At least one number, and a `T` only before a time.
_DURATION: Final = re.compile(r"P(?:(\d{1,4})W|(\d{1,4})D(?:T(?=\d)(?:(\d{1,6})H)?(?:(\d{1,8})M)?(?:(\d{1,9})S)?)?"
                              r"|T(?=\d)(?:(\d{1,6})H)?(?:(\d{1,8})M)?(?:(\d{1,9})S)?)")


def parse_alarm(text: str) -> datetime.timedelta | None:
    """`P1D`, `PT2H`, `P2DT3H`, `P1W` (any case) → how long before; None when malformed, zero or over P30D."""
    match = _DURATION.fullmatch(text.strip().upper())
    if match is None:
        return None
    weeks, days, hours, minutes, seconds, t_hours, t_minutes, t_seconds = (int(part or 0) for part in match.groups())
    delta = datetime.timedelta(weeks=weeks, days=days, hours=hours + t_hours, minutes=minutes + t_minutes,
                               seconds=seconds + t_seconds)
    return delta if datetime.timedelta(0) < delta <= MAX_ALARM else None


def alarm_text(delta: datetime.timedelta) -> str:
    """The canonical RFC 5545 duration: `P1D`, `PT2H`, `P2DT3H`, `PT90M` → `PT1H30M`."""
    days, rest = delta.days, delta.seconds
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    time = "".join(f"{value}{unit}" for value, unit in ((hours, "H"), (minutes, "M"), (seconds, "S")) if value)
    return "P" + (f"{days}D" if days else "") + (f"T{time}" if time else "")
