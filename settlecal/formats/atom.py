"""The change log as an Atom 1.0 feed (RFC 4287), for feed readers and automation.

One entry per release and calendar that the query matches, newest first, with the key dates that
release added, moved, changed and removed. The feed is a pure function of the revision and the
query, so the page can give it an ETag before rendering it.
"""

from __future__ import annotations

import datetime
import html
import itertools
import urllib.parse
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Final

from sqlalchemy.orm import Session

from settlecal.changes import Action, KeyDateChange
from settlecal.db import queries
from settlecal.db.queries.calendars import utc
from settlecal.domain import CalendarKey, Kind
from settlecal.formats.query import Format, Query
from settlecal.notify.compose import ACTION_ORDER
from settlecal.notify.wording import Wording

ATOM: Final = "http://www.w3.org/2005/Atom"
MEDIA_TYPE: Final = "application/atom+xml; charset=utf-8"
RELEASES: Final = 50  # the newest releases a feed covers
CHANGES_PER_ENTRY: Final = 200  # the key dates one entry lists; the rest are counted
_NAMESPACE: Final = uuid.UUID("0f6f2f7e-3b0e-5d0c-9a57-5e771ec0ffee")


def canonical_parameters(query: Query) -> dict[str, str]:
    """The filter of `query` as page parameters, in canonical spelling and order."""
    where = query.where
    values = {
        "system": where.system and where.system.value, "country": where.country, "currency": where.currency,
        "frequency": where.frequency and where.frequency.value,
        "kind": ",".join(kind.value for kind in Kind if kind in query.kinds),
    }
    return {name: value for name, value in values.items() if value}


def render(session: Session, query: Query) -> bytes:
    t = Wording(query.lang)
    release_ids = queries.recent_release_ids(session, RELEASES)
    releases = {release_id: queries.release(session, release_id) for release_id in release_ids}
    kinds = frozenset(query.kinds) or None
    changes = list(queries.changes_of_releases(session, release_ids, query.where, kinds))
    canonical = canonical_parameters(query)
    origin = query.origin
    self_url = f"{origin}/.web/changes.atom?" + urllib.parse.urlencode({**canonical, "lang": t.lang})
    page_url = f"{origin}/.web/?" + urllib.parse.urlencode(
        {name: value for name, value in canonical.items() if name != "kind"} | {"lang": t.lang})
    feed = _feed(t, t.filter(query.where, kinds), self_url, page_url, canonical, releases, changes, origin)
    body: bytes = ET.tostring(feed, encoding="utf-8", xml_declaration=True)
    return body + b"\n"


def _feed(t: Wording, described: str, self_url: str, page_url: str, canonical: Mapping[str, str],
          releases: Mapping[int, queries.ReleaseSummary | None], changes: list[queries.FeedChange],
          origin: str) -> ET.Element:
    ET.register_namespace("", ATOM)
    feed = ET.Element(_q("feed"), {"{http://www.w3.org/XML/1998/namespace}lang": t.lang})
    _text(feed, "id", _urn(f"feed:{sorted(canonical.items())}:{t.lang}:{origin}"))
    _text(feed, "title", f"{t.feed_title}: {described}")
    newest = max((r.created_at for r in releases.values() if r is not None), default=None)
    _text(feed, "updated", _stamp(newest or datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)))
    author = ET.SubElement(feed, _q("author"))
    _text(author, "name", "settlecal")
    ET.SubElement(feed, _q("link"), {"rel": "self", "type": "application/atom+xml", "href": self_url})
    ET.SubElement(feed, _q("link"), {"rel": "alternate", "type": "text/html", "href": page_url})
    _text(feed, "generator", "settlecal")
    grouped = itertools.groupby(changes, key=lambda fc: (fc.release_id, fc.change.calendar))
    for (release_id, calendar), group in grouped:
        release = releases.get(release_id)
        if release is not None:
            feed.append(_entry(t, release, calendar, [fc.change.key_date_change() for fc in group], origin))
    return feed


def _entry(t: Wording, release: queries.ReleaseSummary, calendar: CalendarKey, changes: list[KeyDateChange],
           origin: str) -> ET.Element:
    entry = ET.Element(_q("entry"))
    _text(entry, "id", _urn(f"release:{release.id}:{_stamp(release.created_at)}:{calendar.path}"))
    counts = {action: sum(1 for c in changes if c.action is action) for action in ACTION_ORDER}
    summary = ", ".join(f"{t.phrase(action)}: {count}" for action, count in counts.items() if count)
    _text(entry, "title", f"{t.phrase('feed_entry', calendar=t.calendar(calendar), release=release.id)} ({summary})")
    _text(entry, "updated", _stamp(release.created_at))
    _text(entry, "published", _stamp(release.created_at))
    query = {"system": calendar.system.value, "country": calendar.country, "currency": calendar.currency,
             "frequency": calendar.frequency.value, "lang": t.lang}
    ET.SubElement(entry, _q("link"), {"rel": "alternate", "type": "text/html",
                                      "href": f"{origin}/.web/?{urllib.parse.urlencode(query)}"})
    ET.SubElement(entry, _q("link"), {"rel": "related", "type": "text/calendar",
                                      "href": f"{origin}/{calendar.path}.ics"})
    ET.SubElement(entry, _q("category"), {"term": calendar.path, "label": t.calendar(calendar)})
    if release.note:
        _text(entry, "summary", release.note)
    content = _text(entry, "content", _content_html(t, release, changes))
    content.set("type", "html")
    return entry


def _content_html(t: Wording, release: queries.ReleaseSummary, changes: list[KeyDateChange]) -> str:
    parts = [f"<p>{html.escape(release.file_name or '')} · {html.escape(t.moment(release.created_at))}</p>"]
    if release.note:
        parts.append(f"<p>{html.escape(t.note)}: {html.escape(release.note)}</p>")
    for action in ACTION_ORDER:
        chosen = [c for c in changes if c.action is action]
        if not chosen:
            continue
        parts.append(f"<h3>{html.escape(t.phrase(action))} ({len(chosen)})</h3><ul>")
        for change in chosen[:CHANGES_PER_ENTRY]:
            changed = action is Action.CHANGED
            old = t.state(change.old) if change.old and not changed else ""
            new = (t.changed(change) if changed else t.state(change.new)) if change.new else ""
            shown = f"<del>{html.escape(old)}</del>" if old else ""
            shown += " → " if old and new else ""
            shown += f"<ins>{html.escape(new)}</ins>" if new else ""
            parts.append(f"<li>{html.escape(change.period)} · {html.escape(t.kind(change.kind))}: {shown}</li>")
        if len(chosen) > CHANGES_PER_ENTRY:
            parts.append(f"<li>{html.escape(t.phrase('feed_more', count=len(chosen) - CHANGES_PER_ENTRY))}</li>")
        parts.append("</ul>")
    return "".join(parts)


def _text(parent: ET.Element, tag: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, _q(tag))
    element.text = text
    return element


def _q(tag: str) -> str:
    return f"{{{ATOM}}}{tag}"


def _urn(name: str) -> str:
    return uuid.uuid5(_NAMESPACE, name).urn


def _stamp(moment: datetime.datetime) -> str:
    return utc(moment).strftime("%Y-%m-%dT%H:%M:%SZ")


FORMAT: Final = Format("atom", "atom", MEDIA_TYPE, render, "Atom: what the newest releases changed")
