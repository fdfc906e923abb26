"""Private deployments: htpasswd users with bcrypt hashes read, nobody else does, and nobody writes,
however the rights are configured. No password, database URL or file path in an answer or a log line."""

from __future__ import annotations

import base64
import logging
import pathlib

import bcrypt
import pytest
from sqlalchemy import Engine, func, select

from settlecal.db.snapshot import reading
from settlecal.db.models import KeyDate, Release
from settlecal.notify import subscriptions as subscribers_lib
from caldav_plugin.wsgi import make_application
from tests.conftest import ROOT
from tests.protocol.client import NS, Response, WsgiClient, propfind

PASSWORDS = {"bsp": "bsp-Pa55-word", "cass": "cass-Pa55-word", "alice": "al1ce-secret"}
WRITES = [
    ("PUT", "/bsp/es-eur-monthly/new.ics", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"),
    ("DELETE", "/bsp/es-eur-monthly/2026-01-4-remittance.ics", ""),
    ("DELETE", "/bsp/es-eur-monthly/", ""),
    ("MKCALENDAR", "/bsp/new-calendar/", ""),
    ("MKCOL", "/alice/", ""),
    ("PROPPATCH", "/bsp/es-eur-monthly/", '<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:"><D:set>'
                                          "<D:prop><D:displayname>x</D:displayname></D:prop></D:set></D:propertyupdate>"),
    ("MOVE", "/bsp/es-eur-monthly/2026-01-4-remittance.ics", ""),
    ("COPY", "/bsp/es-eur-monthly/2026-01-4-remittance.ics", ""),
    ("POST", "/bsp/es-eur-monthly/", "x"),
]


def private_config(tmp_path: pathlib.Path, *, rights: str | None = None) -> pathlib.Path:
    users = tmp_path / "users"
    users.write_text("".join(f"{user}:{bcrypt.hashpw(password.encode(), bcrypt.gensalt(4)).decode()}\n"
                             for user, password in PASSWORDS.items()))
    text = (ROOT / "config" / "radicale-private.conf").read_text()
    text = text.replace("/etc/settlecal/users", str(users)).replace("delay = 1", "delay = 0")
    rights_file = ROOT / "config" / "rights-private"
    if rights is not None:
        rights_file = tmp_path / "rights"
        rights_file.write_text(rights)
    text = text.replace("file = rights-private", f"file = {rights_file}")
    path = tmp_path / "radicale-private.conf"
    path.write_text(text)
    return path


def basic(user: str, password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


@pytest.fixture
def private(loaded: Engine, database_url: str, tmp_path: pathlib.Path) -> WsgiClient:
    return WsgiClient(make_application(private_config(tmp_path), database_url=database_url))


def test_anonymous_and_wrong_passwords_get_401(private: WsgiClient) -> None:
    for headers in ({}, basic("bsp", "wrong"), basic("nobody", "x"), basic("alice", PASSWORDS["bsp"])):
        for method, path in (("GET", "/bsp/es-eur-monthly.ics"), ("GET", "/bsp/es-eur-monthly/"),
                             ("PROPFIND", "/bsp/")):
            answer = private.request(method, path, headers=headers)
            assert answer.status == 401, (headers, method, path)
            assert answer.headers["www-authenticate"].startswith("Basic")
            assert b"BEGIN:VEVENT" not in answer.body


def test_users_read_and_discover(private: WsgiClient) -> None:
    answer = private.request("GET", "/bsp/es-eur-monthly.ics", headers=basic("alice", PASSWORDS["alice"]))
    assert answer.status == 200 and b"BEGIN:VEVENT" in answer.body
    bsp = basic("bsp", PASSWORDS["bsp"])
    principal = private.request("PROPFIND", "/", headers={"Depth": "0", **bsp},
                                body=propfind("D:current-user-principal"))
    assert principal.status == 207
    assert principal.xml().findtext(".//D:current-user-principal/D:href", namespaces=NS) == "/bsp/"
    home = private.request("PROPFIND", "/bsp/", headers={"Depth": "0", **bsp}, body=propfind("C:calendar-home-set"))
    assert home.xml().findtext(".//C:calendar-home-set/D:href", namespaces=NS) == "/bsp/"
    listing = private.request("PROPFIND", "/bsp/", headers={"Depth": "1", **bsp}, body=propfind("D:resourcetype"))
    assert "/bsp/es-eur-monthly/" in listing.responses()
    cass = private.request("PROPFIND", "/cass/", headers={"Depth": "1", **basic("cass", PASSWORDS["cass"])},
                           body=propfind("D:resourcetype"))
    assert "/cass/es-eur-twice-monthly/" in cass.responses()


def state(engine: Engine) -> tuple[int, int]:
    with reading(engine) as session:
        return (session.scalar(select(func.count()).select_from(KeyDate)) or 0,
                session.scalar(select(func.count()).select_from(Release)) or 0)


@pytest.mark.parametrize("rights", [None, "[all]\nuser: .*\ncollection: .*\npermissions: RrWw\n"],
                         ids=["private-rights", "rights-granting-everything"])
def test_no_user_can_write(loaded: Engine, database_url: str, tmp_path: pathlib.Path, rights: str | None) -> None:
    client = WsgiClient(make_application(private_config(tmp_path, rights=rights), database_url=database_url))
    before = state(loaded)
    for user in ("bsp", "alice"):
        for method, path, body in WRITES:
            headers = {"Destination": "/bsp/es-eur-monthly/copy.ics", **basic(user, PASSWORDS[user])}
            answer = client.request(method, path, headers=headers, body=body)
            assert answer.status == 403, (user, method, path, answer.status)
    assert state(loaded) == before


def test_no_secret_or_internal_path_in_answers_or_logs(
    loaded: Engine, database_url: str, tmp_path: pathlib.Path, caplog: pytest.LogCaptureFixture
) -> None:
    config = private_config(tmp_path)
    client = WsgiClient(make_application(config, database_url=database_url))
    caplog.clear()
    caplog.set_level(logging.INFO)  # the level the shipped configurations log at
    answers: list[Response] = []
    for user, password in (("bsp", PASSWORDS["bsp"]), ("bsp", "wr0ng-Passw0rd"), ("alice", PASSWORDS["alice"])):
        auth = basic(user, password)
        answers += [
            client.request("GET", "/bsp/es-eur-monthly.ics", headers=auth),
            client.request("GET", "/bsp/../../etc/passwd", headers=auth),
            client.request("GET", "/no/such/calendar.ics", headers=auth),
            client.request("PROPFIND", "/bsp/", headers={"Depth": "1", **auth}, body="<broken"),
            client.request("REPORT", "/bsp/es-eur-monthly/", headers=auth, body="<?xml version='1.0'?><x/>"),
            client.request("PUT", "/bsp/es-eur-monthly/x.ics", headers=auth, body="x"),
            client.request("GET", "/.web/health", headers=auth),
            client.request("GET", "/.web/?token=" + password, headers=auth),
        ]
    secrets = [*PASSWORDS.values(), "wr0ng-Passw0rd", str(tmp_path), str(ROOT), str(config),
               database_url, base64.b64encode(f"bsp:{PASSWORDS['bsp']}".encode()).decode()]
    if "@" in database_url or database_url.startswith("sqlite"):
        secrets.append(database_url.split("///")[-1].split("@")[-1])
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for secret in secrets:
        for answer in answers:
            assert secret.encode() not in answer.body, secret
            assert all(secret not in value for value in answer.headers.values()), secret
        assert secret not in logged, secret


def test_unsubscribe_links_of_e_mails_work_on_a_private_server(loaded: Engine, database_url: str,
                                                               tmp_path: pathlib.Path) -> None:
    row = subscribers_lib.add(loaded, subscribers_lib.Subscription("ana@example.com"))
    client = WsgiClient(make_application(private_config(tmp_path), database_url=database_url))
    link = f"/.web/subscriptions/unsubscribe?token={row.token}"

    shown = client.request("GET", link)  # no login: the token is the credential
    assert shown.status == 200 and b'<form method="post"' in shown.body
    assert subscribers_lib.listed(loaded) != []
    gone = client.request("POST", link, headers={"Content-Type": "application/x-www-form-urlencoded"},
                          body="List-Unsubscribe=One-Click")
    assert gone.status == 200
    assert subscribers_lib.listed(loaded) == []
    assert client.request("GET", "/.web/").status != 200  # the rest of the page stays off
