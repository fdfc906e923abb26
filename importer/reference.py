"""docs/cli.md, generated from the commands themselves: `python -m importer.reference > docs/cli.md`.

tests/test_docs.py fails when the file and the commands disagree, so the reference cannot go stale.
"""

from __future__ import annotations

from collections.abc import Iterator

import click

from importer.cli import cli


def commands(group: click.Group = cli, prefix: str = "settlecal") -> Iterator[tuple[str, click.Command]]:
    """Every command, depth first, in the order `--help` lists them."""
    context = click.Context(group, info_name=prefix)
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        assert command is not None
        yield f"{prefix} {name}", command
        if isinstance(command, click.Group):
            yield from commands(command, f"{prefix} {name}")


def help_text(path: str, command: click.Command) -> str:
    # A fixed width: the reference must not depend on the terminal it was generated in.
    with click.Context(command, info_name=path, terminal_width=80, max_content_width=80) as context:
        return command.get_help(context)


def render() -> str:
    parts = [
        "# `settlecal` command reference\n",
        "Generated from the commands' own help by `python -m importer.reference > docs/cli.md`;",
        "a test checks it is current. Every command takes the global `--database URL` option",
        "(or `SETTLECAL_DATABASE_URL`), defaulting to the SQLite file under `var/`.\n",
        "## settlecal\n",
        "```text",
        help_text("settlecal", cli).rstrip(),
        "```\n",
    ]
    for path, command in commands():
        parts += [f"## {path}\n", "```text", help_text(path, command).rstrip(), "```\n"]
    return "\n".join(parts)


if __name__ == "__main__":
    click.echo(render(), nl=False)
