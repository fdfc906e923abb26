from importer.cli import cli

cli(prog_name="settlecal")
