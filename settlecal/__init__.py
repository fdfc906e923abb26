"""settlecal's core: the settlement domain, the database, the release format, releases, output formats
and notifications. It imports neither Radicale nor click: `caldav_plugin` (the Radicale adapters) and
`importer` (the `settlecal` command) are thin layers over it."""
