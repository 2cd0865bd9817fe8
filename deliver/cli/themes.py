"""`deliver themes`: the built-in themes and what each looks like, in a table."""

from __future__ import annotations

from rich.table import Table

from deliver.cli.common import app, console, esc


@app.command()
def themes() -> None:
    """List the built-in themes."""
    from deliver.slides import list_themes

    table = Table(show_header=True)
    table.add_column("theme")
    table.add_column("description")
    for name, description in list_themes():
        table.add_row(name, esc(description))
    console.print(table)
