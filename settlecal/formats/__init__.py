"""Output formats: the same key dates as iCalendar, CSV (the release format), PDF and Atom.

Each module has a `render(session, query) -> bytes` and a `FORMAT`; registry.FORMATS names them all.
"""
