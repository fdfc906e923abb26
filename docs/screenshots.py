"""Screenshots of the web page for the README: `.venv/bin/python docs/screenshots.py`.

Loads the sample release and the amendment into a temporary SQLite database, serves it on a free
loopback port (waitress + the WSGI entry, as `settlecal serve` does) and photographs the main views
in Debian's Chromium through Playwright (`make browser` installs it). "Today" is pinned to
2026-12-01 so the pictures don't change with the date they are taken.

Then, in each language: the page (`page-<lang>.png`), the first page of a PDF download
(`pdf-<lang>.png`, by pdftoppm from Debian's poppler-utils) and the e-mail a subscriber in that
language gets about the amendment (`email-<lang>.png`, its HTML part loaded in Chromium). The Arabic
and Chinese ones need Debian's Noto fonts (`make fonts`).
"""

from __future__ import annotations

import argparse
import datetime
import pathlib
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

from playwright.sync_api import Page, sync_playwright
from sqlalchemy import Engine

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from settlecal.db.engine import make_engine
from settlecal.db.queries.notifications import outbox_messages
from settlecal.db.schema import upgrade
from settlecal.db.snapshot import reading
from settlecal.domain import CalendarFilter, System
from caldav_plugin.serve import serving
from caldav_plugin.wsgi import make_application
from settlecal.i18n.languages import LANGUAGES
from settlecal.notify import subscriptions
from settlecal.releases.service import import_release
from settlecal.release_format.file import read_release

OUT = ROOT / "docs" / "screenshots"
TODAY = datetime.date(2026, 12, 1)
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--hide-scrollbars", "--font-render-hinting=none"]
SPAIN = "system=BSP&country=ES&currency=EUR&frequency=monthly"
PDF_SELECTION = "currency=EUR&kind=billing,remittance,settlement&from=2026-10-01&to=2026-12-31"


@contextmanager
def served(database_url: str) -> Iterator[str]:
    application = make_application(database_url=database_url)
    application._radicale._web.today = lambda: TODAY
    with serving(application) as url:
        yield url


def shoot(page: Page, url: str, name: str, *, element: str | None = None) -> None:
    page.goto(url)
    path = OUT / f"{name}.png"
    if element:
        page.locator(element).screenshot(path=str(path))
    else:
        page.screenshot(path=str(path))
    print(f"{path.relative_to(ROOT)}  {url}")


def pdf_page(page: Page, url: str, folder: pathlib.Path, name: str) -> None:
    """The first page of the PDF at `url`, as a picture (Debian's poppler-utils)."""
    if not shutil.which("pdftoppm"):
        print(f"skipped {name}.png: pdftoppm is missing (apt-get install poppler-utils)")
        return
    document = folder / f"{name}.pdf"
    document.write_bytes(page.request.get(url).body())
    subprocess.run(["pdftoppm", "-r", "80", "-png", "-singlefile", "-f", "1", "-l", "1", str(document),
                    str(OUT / name)], check=True)
    print(f"docs/screenshots/{name}.png  (page 1 of {url})")


def subscribe_in_every_language(engine: Engine) -> None:
    """One subscriber to BSP Spain per language: the amendment then queues one message in each."""
    spain = CalendarFilter(System.BSP, "ES")
    for lang in LANGUAGES:
        subscriptions.add(engine, subscriptions.Subscription(f"{lang}@example.org", spain, None, lang))


def languages(page: Page, base: str, engine: Engine, folder: pathlib.Path) -> None:
    """The page, a PDF and an e-mail in each language."""
    with reading(engine) as session:
        mails = {message.recipient: message.html for message in outbox_messages(session)}
    for lang in LANGUAGES:
        page.set_viewport_size({"width": 1280, "height": 900})
        shoot(page, f"{base}/.web/?{SPAIN}&lang={lang}", f"page-{lang}")
        pdf_page(page, f"{base}/.web/download.pdf?{PDF_SELECTION}&lang={lang}", folder, f"pdf-{lang}")
        page.set_viewport_size({"width": 760, "height": 600})
        page.set_content(mails[f"{lang}@example.org"])
        page.screenshot(path=str(OUT / f"email-{lang}.png"), full_page=True)
        print(f"docs/screenshots/email-{lang}.png  (the HTML part of the amendment's message)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/settlecal.sqlite3"
        engine = make_engine(url)
        upgrade(engine)
        import_release(engine, read_release(ROOT / "importer/samples/sample-release.csv"), operator="admin",
                       note="Sample release")
        subscribe_in_every_language(engine)
        import_release(engine, read_release(ROOT / "importer/samples/amendment.csv"), operator="admin",
                       note="Spanish bank holidays")
        with served(url) as base, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            desktop = browser.new_page(viewport={"width": 1280, "height": 1180}, locale="en-US")
            shoot(desktop, f"{base}/.web/?{SPAIN}", "month")
            shoot(desktop, f"{base}/.web/?currency=EUR&kind=billing,remittance,settlement&month=2026-04&lang=es",
                  "selection-es")
            shoot(desktop, f"{base}/.web/?{SPAIN}", "upcoming", element="section.upcoming")
            shoot(desktop, f"{base}/.web/?{SPAIN}", "sync", element="div.columns")
            shoot(desktop, f"{base}/.web/releases/2", "release")
            phone = browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                     is_mobile=True, has_touch=True, locale="es-ES")
            shoot(phone, f"{base}/.web/?{SPAIN}&lang=es#month-h", "phone")
            languages(desktop, base, engine, pathlib.Path(folder))
            browser.close()
        engine.dispose()


if __name__ == "__main__":
    main()
