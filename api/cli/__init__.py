"""The `broadsheet` command line: serve, demo, migrations, seeding, keys, schema export, the
background worker, webhooks, and feed ingest."""

from __future__ import annotations

import logging

import typer

from api.cli.db import db_app
from api.cli.demo import demo
from api.cli.ingest import feeds_app, ingest
from api.cli.keys import keys_app
from api.cli.persisted import persisted_app
from api.cli.reader import reader
from api.cli.schema import schema_app
from api.cli.seed import seed_app
from api.cli.serve import serve
from api.cli.webhooks import webhooks_app
from api.cli.worker import worker

app = typer.Typer(
    help="Broadsheet: a headless GraphQL content API for a news network.", no_args_is_help=True
)
app.add_typer(db_app, name="db")
app.add_typer(seed_app, name="seed")
app.add_typer(schema_app, name="schema")
app.add_typer(keys_app, name="keys")
app.add_typer(persisted_app, name="persisted")
app.add_typer(webhooks_app, name="webhooks")
app.add_typer(feeds_app, name="feeds")
app.command()(serve)
app.command()(demo)
app.command()(reader)
app.command()(worker)
app.command()(ingest)


def main() -> None:
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic.runtime.migration").setLevel(logging.INFO)
    app()
