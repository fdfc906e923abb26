"""What subscribers receive after an import or a rollback: who, what, in which language."""

from __future__ import annotations

import email.message
import pathlib
from html import unescape

import pytest
from sqlalchemy import Engine, func, select

from settlecal.db.snapshot import reading
from settlecal.db.models import OutboxMessage
from settlecal.domain import Kind
from settlecal.notify import delivery as mail_sender
from settlecal.notify.transports import notifier_for
from settlecal.notify.config import load_config
from settlecal.releases.service import import_release, rollback
from settlecal.release_format.file import read_release
from tests.conftest import ROOT, SAMPLES
from tests.notify.conftest import PUBLIC_URL, SmtpServer, subscribe


def import_amendment(engine: Engine, **options: bool) -> int:
    outcome = import_release(engine, read_release(SAMPLES / "amendment.csv"), operator="test",
                             note="Spanish bank holidays", **options)
    return outcome.notifications


def parts(message: email.message.EmailMessage) -> tuple[str, str]:
    text = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert text is not None and html is not None
    return text.get_content(), html.get_content()


def queued(engine: Engine) -> int:
    with reading(engine) as session:
        return session.scalar(select(func.count()).select_from(OutboxMessage)) or 0


def test_only_subscribers_whose_filter_matches_a_changed_calendar_get_one_message(
    loaded: Engine, smtp: SmtpServer,
) -> None:
    subscribe(loaded, "spain@example.com", country="ES")
    subscribe(loaded, "bsp-es@example.com", system="BSP", country="ES", currency="EUR", frequency="monthly")
    subscribe(loaded, "cass@example.com", system="CASS")
    subscribe(loaded, "everything@example.com")
    subscribe(loaded, "france@example.com", country="FR")  # France did not change
    subscribe(loaded, "jpy@example.com", currency="JPY")
    subscribe(loaded, "weekly-es@example.com", country="ES", frequency="weekly")  # no such calendar changed
    subscribe(loaded, "settlement-cass@example.com", system="CASS", kinds=frozenset({Kind.SETTLEMENT}))  # none moved

    assert import_amendment(loaded) == 4
    delivery = mail_sender.deliver(loaded, notifier_for(load_config()))

    assert (delivery.sent, delivery.queued) == (4, 0)
    smtp.mailbox.wait_for(4)
    assert smtp.mailbox.recipients == ["bsp-es@example.com", "cass@example.com", "everything@example.com",
                                       "spain@example.com"]
    assert "BSP ES EUR monthly" in smtp.mailbox.to("bsp-es@example.com")[0]["Subject"]
    assert "CASS" not in parts(smtp.mailbox.to("bsp-es@example.com")[0])[0]
    assert "2 calendars" in smtp.mailbox.to("spain@example.com")[0]["Subject"]


def test_the_amendment_message_says_what_moved_and_links_to_the_calendar(loaded: Engine, smtp: SmtpServer) -> None:
    subscribe(loaded, "ana@example.com", system="BSP", country="ES")
    import_amendment(loaded)

    mail_sender.deliver(loaded, notifier_for(load_config()))

    [message] = smtp.mailbox.wait_for(1)
    assert message["Subject"] == "Settlement calendar change: BSP ES EUR monthly"
    assert message["From"] == "Settlement calendars <calendars@example.org>"
    assert message["To"] == "ana@example.com"
    assert message["Content-Language"] == "en"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Message-ID"].startswith("<settlecal.r2.s1.")
    assert message["Message-ID"].endswith("@calendars.example.org>")
    unsubscribe = message["List-Unsubscribe"]
    assert unsubscribe.startswith(f"<{PUBLIC_URL}/.web/subscriptions/unsubscribe?token=")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # On the wire too: one line, the URL as is (one-click unsubscribers do not decode RFC 2047).
    assert f"\r\nList-Unsubscribe: {unsubscribe}\r\n".encode() in smtp.mailbox.raw[0]
    assert message.get_content_type() == "multipart/alternative"
    text, html = parts(message)
    for body in (text, unescape(html)):
        assert "Spanish bank holidays" in body  # the release note
        assert "2026-12-08 (Tue)" in body and "2026-12-09 (Wed)" in body
        assert "2026-04-03 (Fri)" in body and "2026-04-07 (Tue)" in body  # 2026-03-4 billing
        assert f"{PUBLIC_URL}/.web/?system=BSP&country=ES&currency=EUR&frequency=monthly&lang=en" in body
        assert "webcal://calendars.example.org/bsp/es-eur-monthly.ics" in body
        assert f"{PUBLIC_URL}/bsp/es-eur-monthly.ics" in body
        assert unsubscribe.strip("<>") in body
        assert f"{PUBLIC_URL}/.web/changes.atom?system=BSP&country=ES&lang=en" in body
        assert "CASS" not in body
    assert "2026-11-4 · Remittance: 2026-12-08 (Tue) 12:00 → 2026-12-09 (Wed) 12:00" in text
    assert "Moved (4)" in text and "Removed (2)" in text
    assert "2026-08-3 · Period: 2026-08-16 (Sun) … 2026-08-23 (Sun)" in text
    assert "2026-08-3 · Submission: 2026-08-24 (Mon)" in text
    assert "<del" in html and "<ins" in html


def test_a_spanish_subscriber_reads_spanish(loaded: Engine, smtp: SmtpServer) -> None:
    subscribe(loaded, "lucia@example.com", lang="es", system="CASS", country="ES",
              kinds=frozenset({Kind.DISPUTE_DEADLINE}))
    import_amendment(loaded)

    mail_sender.deliver(loaded, notifier_for(load_config()))

    [message] = smtp.mailbox.wait_for(1)
    assert message["Content-Language"] == "es"
    assert message["Subject"] == "Cambio en el calendario de liquidación: CASS ES EUR quincenal"
    text, html = parts(message)
    assert "Movidas (2)" in text
    assert "2606 · Plazo de disputas: 2026-04-07 (mar) → 2026-04-08 (mié)" in text
    assert "2622 · Plazo de disputas: 2026-12-08 (mar) → 2026-12-09 (mié)" in text
    assert "Facturación" not in text  # she follows dispute deadlines only
    assert "Darse de baja" in text and '<html lang="es" dir="ltr">' in html


@pytest.mark.parametrize(("lang", "tag", "subject", "moved", "line", "unsubscribe"), [
    ("fr", "fr", "Changement de calendrier de règlement\u00a0: CASS ES EUR bimensuel", "Déplacées (2)",
     "2606 · Délai de contestation: 2026-04-07 (mar.) → 2026-04-08 (mer.)", "Se désabonner"),
    ("pt", "pt-BR", "Mudança no calendário de liquidação: CASS ES EUR quinzenal", "Movidas (2)",
     "2606 · Prazo de contestação: 2026-04-07 (ter.) → 2026-04-08 (qua.)", "Cancelar assinatura"),
    ("ar", "ar", "تغيير في تقويم التسوية: CASS ES EUR مرتين شهريًا", "المنقولة (2)",
     # Dates isolated left to right (LRI … PDI), else Arabic shows 2026-04-07 as 07-04-2026.
     "2606 · مهلة الاعتراض: \u20662026-04-07\u2069 (الثلاثاء) ← \u20662026-04-08\u2069 (الأربعاء)", "إلغاء الاشتراك"),
    ("zh", "zh-Hans", "结算日历变更：CASS ES EUR 每月两次", "移动 (2)",
     "2606 · 争议截止: 2026-04-07 (周二) → 2026-04-08 (周三)", "退订"),
])
def test_each_subscriber_reads_their_language(loaded: Engine, smtp: SmtpServer, lang: str, tag: str, subject: str,
                                              moved: str, line: str, unsubscribe: str) -> None:
    subscribe(loaded, "li@example.com", lang=lang, system="CASS", country="ES",
              kinds=frozenset({Kind.DISPUTE_DEADLINE}))
    import_amendment(loaded)

    mail_sender.deliver(loaded, notifier_for(load_config()))

    [message] = smtp.mailbox.wait_for(1)
    assert (message["Subject"], message["Content-Language"]) == (subject, tag)
    text, html = parts(message)
    assert moved in text and line in text and unsubscribe in text
    direction = "rtl" if lang == "ar" else "ltr"
    assert f'<html lang="{tag}" dir="{direction}">' in html and f'<body dir="{direction}"' in html
    assert f"{PUBLIC_URL}/.web/?system=CASS&country=ES&currency=EUR&frequency=twice-monthly&lang={lang}" in text


def test_a_new_calendar_is_announced_with_its_counts(engine: Engine, smtp: SmtpServer) -> None:
    subscribe(engine, "ana@example.com", system="BSP", country="JP")

    import_release(engine, read_release(SAMPLES / "sample-release.csv"), operator="test")
    mail_sender.deliver(engine, notifier_for(load_config()))

    [message] = smtp.mailbox.wait_for(1)
    text, _ = parts(message)
    assert "BSP JP JPY monthly" in text
    assert "New calendar: 24 periods, 120 key dates, 2026-01-01 (Thu) … " in text


def test_a_rollback_notifies_too(loaded: Engine, smtp: SmtpServer) -> None:
    subscribe(loaded, "ana@example.com", system="BSP", country="ES")
    import_amendment(loaded)

    outcome = rollback(loaded, operator="test")
    mail_sender.deliver(loaded, notifier_for(load_config()))

    assert outcome.notifications == 1
    first, second = smtp.mailbox.wait_for(2)
    assert first["Message-ID"] != second["Message-ID"]
    text, _ = parts(second)
    assert "Release 3 (" in text and "undid release 2" in text
    assert "2026-11-4 · Remittance: 2026-12-09 (Wed) 12:00 → 2026-12-08 (Tue) 12:00" in text
    assert "Added (2)" in text  # the withdrawn period comes back


def test_dry_runs_and_no_notify_queue_nothing(loaded: Engine, smtp: SmtpServer) -> None:
    subscribe(loaded, "ana@example.com")

    assert import_amendment(loaded, dry_run=True) == 0
    assert queued(loaded) == 0
    assert import_amendment(loaded, notify=False) == 0
    assert queued(loaded) == 0
    assert rollback(loaded, operator="test", notify=False).notifications == 0
    assert queued(loaded) == 0


def test_pending_subscribers_get_nothing(loaded: Engine, smtp: SmtpServer) -> None:
    from settlecal.notify import subscriptions as subscribers_lib

    subscribers_lib.request(loaded, subscribers_lib.Subscription("pending@example.com"), load_config())

    import_amendment(loaded)

    with reading(loaded) as session:
        recipients = session.scalars(select(OutboxMessage.release_id)).all()
    assert recipients == [None]  # the confirmation request only


def test_a_moved_remittance_names_the_periods_it_settles_and_cass_import_is_followed(
    engine: Engine, smtp: SmtpServer, tmp_path: pathlib.Path,
) -> None:
    operations = ROOT / "tests" / "data" / "releases" / "operations-2026.csv"
    import_release(engine, read_release(operations), operator="test")
    subscribe(engine, "spain@example.com", country="ES", lang="es")
    subscribe(engine, "cargo-import@example.com", system="CASS-IMPORT")
    moved = tmp_path / "moved.csv"
    moved.write_text(operations.read_text().replace("2026-04-16,12:00", "2026-04-17,12:00")
                     .replace("2026-04-20,14:00", "2026-04-21,14:00"))

    assert import_release(engine, read_release(moved), operator="test").notifications == 2
    mail_sender.deliver(engine, notifier_for(load_config()))
    smtp.mailbox.wait_for(2)
    text, html = parts(smtp.mailbox.to("spain@example.com")[0])
    assert "Liquida los periodos 2026-03-1 a 2026-03-4 (1\u201331 mar 2026)." in text
    assert "Liquida los periodos 2026-03-1 a 2026-03-4" in unescape(html)
    assert "CASS-IMPORT DE EUR" in smtp.mailbox.to("cargo-import@example.com")[0]["Subject"]
