"""`broadsheet demo`: the demo newsroom, served by the API with the reader site beside it."""

from __future__ import annotations

import atexit
import os
import subprocess
import sys
from datetime import UTC, datetime
from typing import Annotated

import typer
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api import migrations
from api.cli.seed import load_demo
from api.cli.serve import serve
from api.cli.session import console, database_url, run_write
from api.mail.transport import transport_from_settings
from api.models import ApiKey
from api.services import keys
from api.services.keys import Scope
from api.services.outcome import Outcome
from api.settings import get_settings

DEMO_KEY_PREFIX = "demo-desk-"


async def renew_demo_key(session: AsyncSession) -> Outcome[keys.IssuedKey]:
    """A fresh desk key for trying drafts and mutations; the previous demo keys are revoked."""
    earlier = await session.scalars(
        select(ApiKey).where(ApiKey.name.startswith(DEMO_KEY_PREFIX), ApiKey.revoked_at.is_(None))
    )
    for row in earlier.all():
        await keys.revoke_key(session, row)
    name = f"{DEMO_KEY_PREFIX}{datetime.now(UTC):%Y%m%d%H%M%S%f}"
    return Outcome(await keys.create_key(session, name, [Scope.CONTENT_WRITE.value]))


def _public_host(host: str) -> str:
    """The address to print and to give browsers for a server bound to `host`."""
    return "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # noqa: S104 - compared only


def _start_reader(api_url: str, host: str, port: int) -> None:
    """`broadsheet reader` in a child process, stopped when the demo exits."""
    command = [sys.executable, "-m", "api.cli", "reader", "--api", api_url]
    reader = subprocess.Popen([*command, "--host", host, "--port", str(port)])  # noqa: S603

    def stop() -> None:
        reader.terminate()
        try:
            reader.wait(timeout=10)
        except subprocess.TimeoutExpired:
            reader.kill()

    atexit.register(stop)


def demo(
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="The API's port.")] = 8000,
    reader_port: Annotated[int, typer.Option(help="The reader site's port.")] = 8001,
) -> None:
    """Migrate, load the demo newsroom, and serve the API (:8000) and the reader site (:8001)."""
    public = _public_host(host)
    api_url = f"http://{public}:{port}/graphql"
    site_url = f"http://{public}:{reader_port}"
    # The reader's pages call the API from the browser: allow its origin, and send mail links
    # to it, unless the environment says otherwise.
    origins = [o for o in os.environ.get("BROADSHEET_CORS_ORIGINS", "").split(",") if o]
    if site_url not in origins and "*" not in origins:
        os.environ["BROADSHEET_CORS_ORIGINS"] = ",".join([*origins, site_url])
    os.environ.setdefault("BROADSHEET_SITE_URL", site_url)
    # One process does it all: the API also drains the outbox (sign-up mail, issues, webhooks).
    os.environ.setdefault("BROADSHEET_WORKER_IN_SERVE", "true")
    get_settings.cache_clear()

    migrations.upgrade("head", database_url())
    counts = load_demo()
    console.print(
        f"Demo newsroom ready: {counts.get('articles', 0)} articles, "
        f"{counts.get('sources', 0)} sources, "
        f"{counts.get('newsletter_issues', 0)} newsletter issues."
    )
    issued = run_write(renew_demo_key).value
    assert issued is not None
    console.print(f"Mail goes to {transport_from_settings(get_settings()).describe()}.")
    console.print(f"Reader site at [bold]{site_url}/[/bold]")
    console.print(
        "Demo editorial key (content:write; shown once, replaced on the next `broadsheet demo`):"
    )
    typer.echo(issued.plaintext)
    _start_reader(api_url, host, reader_port)
    serve(host=host, port=port, workers=1)
