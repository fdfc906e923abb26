"""How subscribers and deliveries are shown by the CLI: aligned text for people, JSON for scripts."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from settlecal.db.queries.notifications import SubscriberRow
from settlecal.notify.delivery import Delivery


def subscriber_json(row: SubscriberRow) -> dict[str, Any]:
    where = row.where
    return {
        "id": row.id, "email": row.email,
        "system": where.system and where.system.value, "country": where.country, "currency": where.currency,
        "frequency": where.frequency and where.frequency.value,
        "kinds": sorted(kind.value for kind in row.kinds) if row.kinds else None,
        "lang": row.lang, "confirmed": row.confirmed, "created_at": row.created_at, "confirmed_at": row.confirmed_at,
    }


def subscriber_lines(rows: Iterable[SubscriberRow]) -> Iterator[str]:
    yield (f"{'id':>4}  {'e-mail':<32}  {'system':<6} {'country':<7} {'currency':<8} {'frequency':<18} "
           f"{'lang':<4}  {'status':<9}  kinds")
    for row in rows:
        where = row.where
        kinds = ",".join(sorted(kind.value for kind in row.kinds)) if row.kinds else "all"
        yield (f"{row.id:>4}  {row.email:<32}  {where.system or '*':<6} {where.country or '*':<7} "
               f"{where.currency or '*':<8} {where.frequency or '*':<18} {row.lang:<4}  "
               f"{'confirmed' if row.confirmed else 'pending':<9}  {kinds}")


def subscriber_line(row: SubscriberRow) -> str:
    where = row.where
    parts = [str(v) for v in (where.system, where.country, where.currency, where.frequency) if v is not None]
    kinds = ", ".join(sorted(kind.value for kind in row.kinds)) if row.kinds else "all key dates"
    return f"{row.email}: {' '.join(parts) or 'every calendar'} ({kinds}), in {row.lang}"


def delivery_json(delivery: Delivery) -> dict[str, Any]:
    return {"sent": delivery.sent, "deferred": delivery.deferred, "failed": delivery.failed,
            "queued": delivery.queued, "uncertain": delivery.uncertain, "error": delivery.error}


def delivery_lines(delivery: Delivery) -> Iterator[str]:
    yield (f"Sent {delivery.sent}, deferred {delivery.deferred}, failed {delivery.failed}; "
           f"{delivery.queued} still queued.")
    if delivery.error:
        yield f"Last error: {delivery.error}"
    if delivery.uncertain:
        yield (f"{delivery.uncertain} message(s) were being sent when a sender stopped and may have been "
               "delivered; not resent. `settlecal notify --requeue-uncertain` sends them again with the "
               "same Message-ID.")
