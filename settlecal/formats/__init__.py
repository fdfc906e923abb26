"""Output formats: iCalendar and the other renderings of the same key dates."""
