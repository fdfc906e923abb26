"""The Spanish catalogue: each English message of the page and the feeds → its Spanish text.

tests/web/test_i18n.py checks that every message the templates and the code use is here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

SPANISH: Final[Mapping[str, str]] = {
    # Page frame
    "IATA settlement calendars": "Calendarios de liquidación IATA",
    "Settlement calendars": "Calendarios de liquidación",
    "Skip to content": "Ir al contenido",
    "Sections": "Secciones",
    "Calendar": "Calendario",
    "Calendars": "Calendarios",
    "Release history": "Historial de publicaciones",
    "Language": "Idioma",
    "Data as of release {id} ({when})": "Datos de la publicación {id} ({when})",
    "No release imported yet.": "Todavía no se ha importado ninguna publicación.",
    "CalDAV server": "Servidor CalDAV",
    "users": "usuarios",
    "read-only": "solo lectura",
    "Not found": "No encontrado",
    "There is no such page.": "Esta página no existe.",
    "Back to the calendar": "Volver al calendario",
    # Filters
    "{n} calendars match": "{n} calendarios coinciden",
    "1 calendar matches": "1 calendario coincide",
    "Some parameters were not understood and are ignored:": "Algunos parámetros no se entendieron y se ignoran:",
    "not understood": "no se entiende",
    "Filters": "Filtros",
    "System": "Sistema",
    "All systems": "Todos los sistemas",
    "passenger": "pasajeros",
    "cargo": "carga",
    "Country": "País",
    "All countries": "Todos los países",
    "Type a name or a code, e.g. Spain or ES.": "Escriba un nombre o un código, p. ej. España o ES.",
    "Currency": "Moneda",
    "All currencies": "Todas las monedas",
    "Frequency": "Frecuencia",
    "All frequencies": "Todas las frecuencias",
    "Key dates to show (none ticked: all)": "Fechas clave que mostrar (ninguna marcada: todas)",
    "Apply filters": "Aplicar filtros",
    "Clear filters": "Quitar filtros",
    # Month and lists
    "Months": "Meses",
    "Today": "Hoy",
    "Legend": "Leyenda",
    "Key dates in {month}": "Fechas clave de {month}",
    "{n} calendars match: choose filters to see their key dates (up to {max} calendars at once).":
        "{n} calendarios coinciden: elija filtros para ver sus fechas clave (hasta {max} calendarios a la vez).",
    "No key dates of this selection in this month.": "No hay fechas clave de esta selección en este mes.",
    "Upcoming key dates": "Próximas fechas clave",
    "No upcoming key dates for this selection.": "No hay próximas fechas clave para esta selección.",
    "Key dates": "Fechas clave",
    "key dates": "fechas clave",
    "Key date": "Fecha clave",
    "Date": "Fecha",
    # Key-date kinds (settlecal.domain.KINDS): short names, then IATA's terms.
    "Period": "Periodo",
    "Submission": "Presentación",
    "Billing": "Facturación",
    "Remittance": "Remesa",
    "Settlement": "Liquidación",
    "Correction cut-off": "Cierre de correcciones",
    "Dispute deadline": "Plazo de disputas",
    "Reporting / billing period": "Periodo de facturación",
    "Agent submission date": "Envío / presentación de la agencia",
    "Billing date": "Fecha de facturación",
    "Agent remittance date": "Fecha de remesa de la agencia",
    "Airline settlement date": "Liquidación a las aerolíneas",
    "Billing dispute deadline": "Plazo de disputas de facturación",
    "Cut-off": "Hora límite",
    "Release": "Publicación",
    "release {id}": "publicación {id}",
    "rel. {id}": "publ. {id}",
    "until": "hasta",
    "Last changed": "Último cambio",
    "Subscribe": "Suscribirse",
    "No calendar matches these filters.": "Ningún calendario coincide con estos filtros.",
    "Showing {shown} of {total}: narrow the filters to see the rest.":
        "Se muestran {shown} de {total}: afine los filtros para ver el resto.",
    # Downloads
    "Full details and download": "Detalle completo y descarga",
    "From": "Desde",
    "To": "Hasta",
    "CSV separator": "Separador CSV",
    "Comma (,)": "Coma (,)",
    "Semicolon (;), for Excel in Spanish, French, German…": "Punto y coma (;), para Excel en español, francés, alemán…",
    "Download CSV": "Descargar CSV",
    "Download PDF": "Descargar PDF",
    "CSV: every period that ends in the range, with all its key dates, in the release format (UTF-8, ISO dates); "
    "a whole year imports again unchanged.":
        "CSV: cada periodo que termina en el intervalo, con todas sus fechas clave, en el formato de publicación "
        "(UTF-8, fechas ISO); un año completo se vuelve a importar sin cambios.",
    "PDF: the key dates dated in the range, month by month, ready to print.":
        "PDF: las fechas clave del intervalo, mes a mes, listas para imprimir.",
    "Selection": "Selección",
    "Dates": "Fechas",
    "The PDF would hold more than {n} key dates: choose fewer calendars, kinds or a shorter range.":
        "El PDF tendría más de {n} fechas clave: elija menos calendarios, tipos o un intervalo más corto.",
    "Too many key dates": "Demasiadas fechas clave",
    "No key dates match this selection in this range.": "Ninguna fecha clave de esta selección cae en este intervalo.",
    # Sync
    "Sync calendar": "Sincronizar calendario",
    "Subscribe to {name} in your calendar app: it follows every new release by itself.":
        "Suscríbase a {name} en su aplicación de calendario: seguirá cada nueva publicación por sí sola.",
    "Subscription link (webcal://)": "Enlace de suscripción (webcal://)",
    "Subscription link (https://)": "Enlace de suscripción (https://)",
    "CalDAV URL": "URL CalDAV",
    "CalDAV account: server {server}, user {user}, any password.":
        "Cuenta CalDAV: servidor {server}, usuario {user}, cualquier contraseña.",
    "Download .ics": "Descargar .ics",
    "Copy": "Copiar",
    "Copied": "Copiado",
    "Choose one calendar with the filters (or in the list below) to get its own links and CalDAV account; "
    "or subscribe to the whole selection:":
        "Elija un calendario con los filtros (o en la lista de abajo) para ver sus enlaces y su cuenta CalDAV; "
        "o suscríbase a toda la selección:",
    "Subscribe to this selection": "Suscribirse a esta selección",
    "Subscribe to the selection": "Suscribirse a la selección",
    "Be told when it changes": "Reciba un aviso cuando cambie",
    "Get an e-mail saying what moved as soon as a new release changes this selection, or follow the changes in a feed reader.":
        "Reciba un correo con lo que se ha movido en cuanto una nueva publicación cambie esta selección, o siga los cambios en un lector de canales.",
    "Subscribe to changes by e-mail": "Suscribirse a los cambios por correo",
    "Changes feed (Atom)": "Canal de cambios (Atom)",
    "One feed with the key dates of every matching calendar, only the kinds chosen: {what}.":
        "Un único calendario con las fechas clave de todos los calendarios que coinciden, solo de los tipos "
        "elegidos: {what}.",
    "Selection feed (webcal://)": "Calendario de la selección (webcal://)",
    "Selection feed (https://)": "Calendario de la selección (https://)",
    "How to subscribe": "Cómo suscribirse",
    "Outlook on the web or Outlook.com: Calendar → Add calendar → Subscribe from web; paste the https:// link. "
    "Outlook for Windows: Home → Add calendar → From Internet; paste the https:// link. "
    "Outlook refreshes subscriptions every few hours.":
        "Outlook en la web u Outlook.com: Calendario → Agregar calendario → Suscribirse desde la web; pegue el "
        "enlace https://. Outlook para Windows: Inicio → Agregar calendario → Desde Internet; pegue el enlace "
        "https://. Outlook actualiza las suscripciones cada pocas horas.",
    "Mac: File → New Calendar Subscription; paste the webcal:// link (or just click it). iPhone and iPad: "
    "Settings → Apps → Calendar → Calendar Accounts → Add Account → Other → Add Subscribed Calendar. "
    "For CalDAV: Add CalDAV Account with the server and user above.":
        "Mac: Archivo → Nueva suscripción a calendario; pegue el enlace webcal:// (o haga clic en él). iPhone y "
        "iPad: Ajustes → Apps → Calendario → Cuentas de calendario → Añadir cuenta → Otra → Añadir calendario "
        "suscrito. Para CalDAV: Añadir cuenta CalDAV con el servidor y el usuario de arriba.",
    "On a computer: Other calendars → + → From URL; paste the https:// link. Google refreshes it on its own "
    "schedule (several hours); it then appears on your phone too.":
        "En un ordenador: Otros calendarios → + → Desde URL; pegue el enlace https://. Google lo actualiza según "
        "su propio calendario (varias horas); después aparece también en el móvil.",
    "Calendar → New Calendar → On the Network; paste the CalDAV URL (user bsp or cass, any password) or the "
    "https:// link (iCalendar). CalDAV also tells Thunderbird the calendar is read-only.":
        "Calendario → Nuevo calendario → En la red; pegue la URL CalDAV (usuario bsp o cass, cualquier "
        "contraseña) o el enlace https:// (iCalendar). Con CalDAV, Thunderbird sabe además que es de solo lectura.",
    "ICSx⁵: + → paste the https:// link, for one subscription. DAVx⁵: add an account with URL and user name, "
    "base URL {server}, user bsp or cass, any password; it finds every calendar of that system.":
        "ICSx⁵: + → pegue el enlace https://, para una suscripción. DAVx⁵: añada una cuenta con URL y nombre de "
        "usuario, URL base {server}, usuario bsp o cass, cualquier contraseña; encuentra todos los calendarios "
        "de ese sistema.",
    # Feeds
    "IATA settlement key dates of the selection, from the operator's releases. Read-only.":
        "Fechas clave de liquidación IATA de la selección, según las publicaciones del operador. Solo lectura.",
    "Period {code}: {start} to {end}.": "Periodo {code}: del {start} al {end}.",
    "Cut-off: {time} local time.": "Hora límite: {time}, hora local.",
    "Remarks: {text}": "Observaciones: {text}",
    "Release {id} of {date}.": "Publicación {id} del {date}.",
    # History
    "Every release the operator imported, newest first. Open one to see what it changed in each calendar.":
        "Cada publicación importada del operador, de la más reciente a la más antigua. Abra una para ver qué "
        "cambió en cada calendario.",
    "Releases": "Publicaciones",
    "Release {id}": "Publicación {id}",
    "When": "Fecha",
    "File": "Archivo",
    "Note": "Nota",
    "Action": "Acción",
    "Import": "Importación",
    "Rollback of release {id}": "Reversión de la publicación {id}",
    "Added": "Añadidas",
    "Moved": "Movidas",
    "Changed": "Cambiadas",
    "Removed": "Eliminadas",
    "added": "añadida",
    "moved": "movida",
    "changed": "cambiada",
    "removed": "eliminada",
    "Status": "Estado",
    "in force": "en vigor",
    "rollback": "reversión",
    "undone by release {id}": "deshecha por la publicación {id}",
    "Changes": "Cambios",
    "Change": "Cambio",
    "Before": "Antes",
    "After": "Después",
    "{calendars} calendars: {added} added, {moved} moved, {changed} changed, {removed} removed":
        "{calendars} calendarios: {added} añadidas, {moved} movidas, {changed} cambiadas, {removed} eliminadas",
    "When each calendar last changed": "Último cambio de cada calendario",
    "Only calendars and key dates of the selection:": "Solo calendarios y fechas clave de la selección:",
    "First load of this calendar.": "Primera carga de este calendario.",
    "Show its {n} key dates": "Ver sus {n} fechas clave",
    "This release changed no calendar of the selection.": "Esta publicación no cambió ningún calendario de la selección.",
    "There is no release {id}.": "No existe la publicación {id}.",
}
