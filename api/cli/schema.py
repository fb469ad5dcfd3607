"""`broadsheet schema export`: the SDL that schema.graphql in the repository is kept equal to."""

from __future__ import annotations

import typer

schema_app = typer.Typer(help="The GraphQL schema.", no_args_is_help=True)


@schema_app.command("export")
def schema_export() -> None:
    """Print the schema as SDL (schema.graphql in the repository is kept equal to it)."""
    from schema.root import schema

    typer.echo(schema.as_str())
