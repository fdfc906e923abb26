"""The `settlecal` admin command: loads calendar releases into the database."""
