"""Screenshots of the web page for the README: `.venv/bin/python docs/screenshots.py`.

Loads the sample release and the amendment into a temporary SQLite database, serves it on a free
loopback port (waitress + the WSGI entry, as `settlecal serve` does) and photographs the main views
in Debian's Chromium through Playwright (`make browser` installs it). "Today" is pinned to
2026-12-01 so the pictures don't change with the date they are taken.
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

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from settlecal.db.engine import make_engine
from settlecal.db.schema import upgrade
from caldav_plugin.serve import serving
from caldav_plugin.wsgi import make_application
from settlecal.releases.service import import_release
from settlecal.release_format.file import read_release

OUT = ROOT / "docs" / "screenshots"
TODAY = datetime.date(2026, 12, 1)
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--hide-scrollbars", "--font-render-hinting=none"]
SPAIN = "system=BSP&country=ES&currency=EUR&frequency=monthly"


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
            if shutil.which("pdftoppm"):  # Debian's poppler-utils: the PDF's first page as a picture
                pdf = desktop.request.get(f"{base}/.web/download.pdf?currency=EUR&kind=billing,remittance,settlement"
                                          "&from=2026-10-01&to=2026-12-31").body()
                pdf_path = pathlib.Path(folder) / "calendar.pdf"
                pdf_path.write_bytes(pdf)
                subprocess.run(["pdftoppm", "-r", "80", "-png", "-singlefile", "-f", "1", "-l", "1", str(pdf_path),
                                str(OUT / "pdf")], check=True)
                print("docs/screenshots/pdf.png  (page 1 of the PDF download)")
            browser.close()
        engine.dispose()


if __name__ == "__main__":
    main()
