"""The database the plugin reads and the importer writes."""
