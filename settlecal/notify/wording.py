"""The words of notifications and change feeds, in each language subscribers can choose.

A small catalogue rather than gettext: two languages, a few dozen phrases, and the templates in
settlecal/notify/templates/ look them up as `t.key`.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping

import babel.dates

from settlecal.db.queries.calendars import utc
from settlecal.domain import CalendarFilter, CalendarKey, Frequency, Kind
from settlecal.i18n.translator import translator
from settlecal.changes import Action, KeyDateChange, KeyDateState

LANGUAGES = ("en", "es")
DEFAULT_LANGUAGE = "en"

FREQUENCY_NAMES: Mapping[str, Mapping[Frequency, str]] = {
    "en": {f: f.value for f in Frequency},
    "es": {
        Frequency.MONTHLY: "mensual", Frequency.TWICE_MONTHLY: "quincenal",
        Frequency.FOUR_TIMES_MONTHLY: "cuatro veces al mes", Frequency.TEN_DAILY: "decenal",
        Frequency.WEEKLY: "semanal",
    },
}

PHRASES: Mapping[str, Mapping[str, str]] = {
    "en": {
        "subject": "Settlement calendar change: {calendars}",
        "subject_many": "Settlement calendar changes: {count} calendars",
        "title": "Settlement calendar changes",
        "intro_import": "Release {release} ({file}, {when}) changed {count} calendar(s) you follow.",
        "intro_rollback": "Release {release} ({when}) undid release {undone}: the dates it changed are back to what they were.",
        "note": "Note",
        Action.ADDED: "Added",
        Action.MOVED: "Moved",
        Action.CHANGED: "Changed (cut-off time or remarks)",
        Action.REMOVED: "Removed",
        "new_calendar": "New calendar: {periods} periods, {key_dates} key dates, {first} … {last}.",
        "remarks": "remarks",
        "cutoff": "cut-off",
        "calendar_page": "Calendar",
        "subscribe": "Subscribe",
        "feed": "Changes as a feed",
        "because": "You receive this because you follow: {filter}.",
        "unsubscribe": "Unsubscribe",
        "all": "all calendars",
        "all_kinds": "all key dates",
        "confirm_subject": "Confirm your subscription to settlement calendar changes",
        "confirm_intro": "Someone, hopefully you, asked to be told by e-mail when these settlement calendars change: {filter}.",
        "confirm_action": "Confirm the subscription",
        "confirm_ignore": "If it was not you, ignore this message: nothing will be sent without confirmation.",
        "feed_title": "Settlement calendar changes",
        "feed_entry": "{calendar}: release {release}",
        "feed_more": "… and {count} more",
        "page_subscribe": "Subscribe to changes",
        "page_subscribe_intro": "Get an e-mail as soon as a new release changes these calendars: {filter}.",
        "page_email": "E-mail address",
        "page_language": "Language of the messages",
        "page_subscribe_button": "Subscribe",
        "page_check_inbox": "Check your inbox",
        "page_check_inbox_text": "If {email} can be subscribed, a message with a confirmation link is on its way. Nothing else is sent until you follow it.",
        "page_bad_email": "That is not an e-mail address.",
        "page_bad_filter": "This filter is not valid: {problem}",
        "page_confirm_title": "Confirm your subscription",
        "page_confirm_text": "Confirm that {email} should be told when these calendars change: {filter}.",
        "page_confirmed": "You are subscribed",
        "page_confirmed_text": "{email} will be told by e-mail when these calendars change: {filter}.",
        "page_unsubscribe_title": "Unsubscribe",
        "page_unsubscribe_text": "Stop sending {email} the changes of these calendars: {filter}?",
        "page_unsubscribe_button": "Unsubscribe",
        "page_unsubscribed": "You are unsubscribed",
        "page_unsubscribed_text": "No more messages will be sent for this subscription.",
        "page_unknown_link": "This link is not valid any more: the subscription may have ended already.",
        "page_back": "Back to the calendars",
        "page_feed": "Prefer a feed reader? Follow the changes as an Atom feed",
    },
    "es": {
        "subject": "Cambio en el calendario de liquidación: {calendars}",
        "subject_many": "Cambios en los calendarios de liquidación: {count} calendarios",
        "title": "Cambios en los calendarios de liquidación",
        "intro_import": "La publicación {release} ({file}, {when}) ha cambiado {count} calendario(s) que sigue.",
        "intro_rollback": "La publicación {release} ({when}) ha deshecho la publicación {undone}: las fechas que cambió vuelven a ser las anteriores.",
        "note": "Nota",
        Action.ADDED: "Añadidas",
        Action.MOVED: "Movidas",
        Action.CHANGED: "Cambiadas (hora límite u observaciones)",
        Action.REMOVED: "Eliminadas",
        "new_calendar": "Calendario nuevo: {periods} periodos, {key_dates} fechas clave, {first} … {last}.",
        "remarks": "observaciones",
        "cutoff": "hora límite",
        "calendar_page": "Calendario",
        "subscribe": "Suscribirse",
        "feed": "Cambios como canal",
        "because": "Recibe este mensaje porque sigue: {filter}.",
        "unsubscribe": "Darse de baja",
        "all": "todos los calendarios",
        "all_kinds": "todas las fechas clave",
        "confirm_subject": "Confirme su suscripción a los cambios de los calendarios de liquidación",
        "confirm_intro": "Alguien, esperamos que usted, ha pedido recibir un correo cuando cambien estos calendarios de liquidación: {filter}.",
        "confirm_action": "Confirmar la suscripción",
        "confirm_ignore": "Si no fue usted, ignore este mensaje: no se enviará nada sin confirmación.",
        "feed_title": "Cambios en los calendarios de liquidación",
        "feed_entry": "{calendar}: publicación {release}",
        "feed_more": "… y {count} más",
        "page_subscribe": "Suscribirse a los cambios",
        "page_subscribe_intro": "Reciba un correo en cuanto una nueva publicación cambie estos calendarios: {filter}.",
        "page_email": "Correo electrónico",
        "page_language": "Idioma de los mensajes",
        "page_subscribe_button": "Suscribirse",
        "page_check_inbox": "Revise su correo",
        "page_check_inbox_text": "Si {email} puede suscribirse, le hemos enviado un mensaje con un enlace de confirmación. No se enviará nada más hasta que lo siga.",
        "page_bad_email": "Esa dirección de correo no es válida.",
        "page_bad_filter": "Este filtro no es válido: {problem}",
        "page_confirm_title": "Confirme su suscripción",
        "page_confirm_text": "Confirme que {email} debe recibir un aviso cuando cambien estos calendarios: {filter}.",
        "page_confirmed": "Suscripción confirmada",
        "page_confirmed_text": "{email} recibirá un correo cuando cambien estos calendarios: {filter}.",
        "page_unsubscribe_title": "Darse de baja",
        "page_unsubscribe_text": "¿Dejar de enviar a {email} los cambios de estos calendarios: {filter}?",
        "page_unsubscribe_button": "Darse de baja",
        "page_unsubscribed": "Baja confirmada",
        "page_unsubscribed_text": "No se enviarán más mensajes de esta suscripción.",
        "page_unknown_link": "Este enlace ya no es válido: puede que la suscripción ya haya terminado.",
        "page_back": "Volver a los calendarios",
        "page_feed": "¿Prefiere un lector de canales? Siga los cambios como canal Atom",
    },
}


def language(lang: str | None) -> str:
    """A supported language: the one asked for, else English."""
    return lang if lang in LANGUAGES else DEFAULT_LANGUAGE


class Wording:
    """The phrases of one language, with the formatting of dates, key dates and filters."""

    def __init__(self, lang: str) -> None:
        self.lang = language(lang)
        self._phrases = PHRASES[self.lang]

    def __getattr__(self, key: str) -> str:
        try:
            return self._phrases[key]
        except KeyError:
            raise AttributeError(key) from None

    def phrase(self, key: str | Action, **values: object) -> str:
        return self._phrases[key].format(**values)

    def kind(self, kind: Kind) -> str:
        return translator(self.lang).kind(kind)

    def calendar(self, key: CalendarKey) -> str:
        """`BSP ES EUR monthly`, the frequency in this language."""
        return f"{key.system} {key.country} {key.currency} {FREQUENCY_NAMES[self.lang][key.frequency]}"

    def day(self, day: datetime.date) -> str:
        """`2026-12-08 (Tue)`: ISO, so never ambiguous, with the weekday people plan by."""
        return f"{day.isoformat()} ({babel.dates.format_date(day, 'EEE', locale=self.lang)})"

    def moment(self, moment: datetime.datetime) -> str:
        return utc(moment).strftime("%Y-%m-%d %H:%M UTC")

    def state(self, state: KeyDateState | None, *, remarks: bool = False) -> str:
        """A key date's dates and cut-off time, and its remarks when asked."""
        if state is None:
            return "–"
        text = self.day(state.date) if state.end == state.date else f"{self.day(state.date)} … {self.day(state.end)}"
        if state.cutoff:
            text += f" {state.cutoff}"
        if remarks and state.remarks:
            text += f" ({self.remarks}: {state.remarks})"
        return text

    def changed(self, change: KeyDateChange) -> str:
        """A change of cut-off time or remarks only: the dates, then what changed."""
        old, new = change.old, change.new
        assert old is not None and new is not None
        what = []
        if old.cutoff != new.cutoff:
            what.append(f"{self.cutoff}: {old.cutoff or '–'} → {new.cutoff or '–'}")
        if old.remarks != new.remarks:
            what.append(f"{self.remarks}: {new.remarks or '–'}")
        return f"{self.state(new)} — {'; '.join(what)}" if what else self.state(new)

    def filter(self, where: CalendarFilter, kinds: frozenset[Kind] | None) -> str:
        """What a subscriber follows, in one line: `BSP · ES · Remittance, Settlement`."""
        parts = [str(value) for value in (where.system, where.country, where.currency) if value is not None]
        if where.frequency is not None:
            parts.append(FREQUENCY_NAMES[self.lang][where.frequency])
        text = " · ".join(parts) or self.all
        chosen = ", ".join(self.kind(kind) for kind in Kind if kind in kinds) if kinds else self.all_kinds
        return f"{text} ({chosen})"
