"""Releases: diff, apply, import, rollback and export."""
