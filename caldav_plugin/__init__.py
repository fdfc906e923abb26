"""Read-only CalDAV collections of IATA settlement calendars, generated from a SQL database."""
