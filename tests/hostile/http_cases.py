"""Hostile HTTP requests, one kind of fault each, with the answer the server must give.

Each entry: name → (method, path, headers, body, expected statuses). Every answer must also be
short of 500 and free of any stack trace or internal path (see test_http.py).
"""

from __future__ import annotations

from typing import Final

XML = {"Content-Type": "application/xml"}
PROPFIND = '<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:getetag/></D:prop></D:propfind>'
LAUGHS = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
          + "".join(f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">'
                    for i in range(1, 10))
          + ']><D:propfind xmlns:D="DAV:"><D:prop><D:displayname>&lol9;</D:displayname></D:prop></D:propfind>')
EXTERNAL = ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
            '<D:propfind xmlns:D="DAV:"><D:prop><D:displayname>&e;</D:displayname></D:prop></D:propfind>')
PARAMETER_ENTITY = ('<?xml version="1.0"?><!DOCTYPE x [<!ENTITY % p SYSTEM "http://127.0.0.1:1/x.dtd"> %p;]>'
                    '<D:propfind xmlns:D="DAV:"/>')
DEEP = "<D:prop xmlns:D=\"DAV:\">" * 10_000 + "</D:prop>" * 10_000
WIDE = '<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop>' + "<D:getetag/>" * 20_000 + "</D:prop></D:propfind>"
SYNC_FUTURE = ('<?xml version="1.0"?><D:sync-collection xmlns:D="DAV:"><D:sync-token>'
               "http://settlecal.invalid/ns/sync/99999999999999999999999999</D:sync-token>"
               "<D:sync-level>1</D:sync-level><D:prop><D:getetag/></D:prop></D:sync-collection>")
SYNC_FOREIGN = SYNC_FUTURE.replace("http://settlecal.invalid/ns/sync/99999999999999999999999999",
                                   "data:,../../../../etc/passwd")
BAD_RANGE = ('<?xml version="1.0"?><C:calendar-query xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
             '<C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">'
             '<C:time-range start="yesterday" end="99999999T999999Z"/></C:comp-filter></C:comp-filter>'
             "</C:filter></C:calendar-query>")
MULTIGET_ESCAPE = ('<?xml version="1.0"?><C:calendar-multiget xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">'
                   "<D:prop><D:getetag/><C:calendar-data/></D:prop><D:href>/../../etc/passwd</D:href>"
                   "<D:href>/bsp/es-eur-monthly/%2e%2e/%2e%2e/x</D:href><D:href>" + "a/" * 2000 + "</D:href>"
                   "</C:calendar-multiget>")
BAD_4XX = frozenset(range(400, 500))

CASES: Final[dict[str, tuple[str, str, dict[str, str], str | bytes, frozenset[int]]]] = {
    "broken XML": ("PROPFIND", "/bsp/", XML, "<D:propfind xmlns:D='DAV:'><D:prop>", frozenset({400})),
    "not XML at all": ("REPORT", "/bsp/es-eur-monthly/", XML, "GET / HTTP/1.1", frozenset({400})),
    "binary body": ("PROPFIND", "/bsp/", XML, b"\xff\xfe\x00\x00garbage\x00", frozenset({400})),
    "billion laughs": ("PROPFIND", "/bsp/", XML, LAUGHS, frozenset({400})),
    "external entity": ("PROPFIND", "/bsp/", XML, EXTERNAL, frozenset({400})),
    "external entity in REPORT": ("REPORT", "/bsp/es-eur-monthly/", XML, EXTERNAL, frozenset({400})),
    "parameter entity": ("PROPFIND", "/bsp/", XML, PARAMETER_ENTITY, frozenset({400})),
    "10000 nested elements": ("PROPFIND", "/bsp/", XML, DEEP, frozenset({400})),
    "20000 properties": ("PROPFIND", "/bsp/es-eur-monthly/", {**XML, "Depth": "0"}, WIDE, frozenset({207})),
    "unknown charset": ("PROPFIND", "/bsp/", {"Content-Type": "application/xml; charset=x-klingon"}, PROPFIND,
                        frozenset({415})),
    "body not in its charset": ("PROPFIND", "/bsp/", {"Content-Type": "application/xml; charset=utf-8"},
                                b"<?xml version='1.0'?><a>\xe9\xff\xfe</a>", frozenset({400})),
    "unknown REPORT": ("REPORT", "/bsp/es-eur-monthly/", XML, '<?xml version="1.0"?><D:nonsense xmlns:D="DAV:"/>',
                       BAD_4XX | {207}),
    "time range that is no time": ("REPORT", "/bsp/es-eur-monthly/", XML, BAD_RANGE, frozenset({400})),
    "sync token from the future": ("REPORT", "/bsp/es-eur-monthly/", XML, SYNC_FUTURE, frozenset({403})),
    "sync token of another server": ("REPORT", "/bsp/es-eur-monthly/", XML, SYNC_FOREIGN, frozenset({403})),
    "multiget of paths outside": ("REPORT", "/bsp/es-eur-monthly/", XML, MULTIGET_ESCAPE, frozenset({207})),
    "oversized body": ("PROPFIND", "/bsp/", XML, b"<a>" + b" " * 2_000_000 + b"</a>", frozenset({413})),
    "oversized write": ("PUT", "/bsp/es-eur-monthly/x.ics", {}, b"x" * 2_000_000, frozenset({403, 413})),
    "dot-dot path": ("GET", "/bsp/../../../etc/passwd", {}, "", BAD_4XX),
    "dot-dot into the database folder": ("GET", "/../var/settlecal.sqlite3", {}, "", BAD_4XX),
    "encoded dot-dot": ("GET", "/bsp/%2e%2e/%2e%2e/etc/passwd", {}, "", BAD_4XX),
    # A WSGI server decodes %2F into PATH_INFO's "/": this is then the public calendar itself, which
    # is harmless; undecoded (in-process) it is no path at all.
    "encoded slash": ("GET", "/bsp%2Fes-eur-monthly.ics", {}, "", BAD_4XX | {200}),
    "backslashes": ("GET", "/bsp\\..\\..\\etc\\passwd", {}, "", BAD_4XX),
    "NUL in the path": ("GET", "/bsp/es-eur-monthly/\x00.ics", {}, "", frozenset({400})),
    "control characters in the path": ("GET", "/bsp/\x1b[31m.ics", {}, "", frozenset({400})),
    "absurdly deep path": ("GET", "/bsp/" + "a/" * 1500, {}, "", BAD_4XX),
    "absurdly long path": ("GET", "/" + "x" * 20_000, {}, "", frozenset({414})),
    "event in an unknown calendar": ("GET", "/bsp/xx-xxx-monthly/2026-01-1-remittance.ics", {}, "", BAD_4XX),
    "malformed event name": ("GET", "/bsp/es-eur-monthly/%ff%fe.ics", {}, "", BAD_4XX),
    "absurd Depth": ("PROPFIND", "/bsp/", {"Depth": "99999999999999999999"}, "", frozenset({400})),
    "negative Depth": ("PROPFIND", "/bsp/", {"Depth": "-1"}, "", frozenset({400})),
    "Depth infinity": ("PROPFIND", "/", {"Depth": "infinity"}, "", frozenset({207, 403})),
    "unknown method": ("FROBNICATE", "/bsp/", {}, "", frozenset({405})),
    "TRACE": ("TRACE", "/", {"X-Secret": "reflected?"}, "", frozenset({405})),
    "CONNECT": ("CONNECT", "/", {}, "", frozenset({405})),
    "LOCK": ("LOCK", "/bsp/es-eur-monthly/", {}, "", frozenset({403})),
    "SEARCH": ("SEARCH", "/", XML, "<x/>", frozenset({405})),
    "malformed Basic credentials": ("GET", "/bsp/es-eur-monthly.ics", {"Authorization": "Basic !!!not-base64"}, "",
                                    frozenset({400})),
    "Basic credentials without a colon": ("PROPFIND", "/bsp/", {"Authorization": "Basic Ym9ndXM="}, "",
                                          frozenset({400})),
    "unknown auth scheme": ("GET", "/bsp/es-eur-monthly.ics", {"Authorization": "Negotiate abc"}, "",
                            frozenset({200})),
    "user name with a path": ("PROPFIND", "/", {"Authorization": "Basic Li4vLi4vZXRjOng="}, "",
                              frozenset({207}) | BAD_4XX),
    "garbage conditional headers": ("GET", "/bsp/es-eur-monthly.ics",
                                    {"If-None-Match": "x" * 8000, "If-Modified-Since": "yesterday-ish"}, "",
                                    frozenset({200})),
    "unknown headers": ("GET", "/bsp/es-eur-monthly.ics", {"X-Evil": "1", "X-Forwarded-For": "evil"}, "",
                        frozenset({200})),
    "freebusy with nonsense bounds": ("GET", "/bsp/es-eur-monthly/?view=freebusy&start=x&end=y", {}, "",
                                      frozenset({400})),
    "POST to a calendar": ("POST", "/bsp/es-eur-monthly/", XML, "<x/>", frozenset({403})),
}
