"""`broadsheet reader`: serve the reference reader site against a Broadsheet API."""

from __future__ import annotations

from typing import Annotated

import typer

from api.cli.session import console
from api.settings import get_settings


def reader(
    api: Annotated[
        str, typer.Option(help="The API's GraphQL endpoint, as the reader's server reaches it.")
    ] = "http://127.0.0.1:8000/graphql",
    browser_api: Annotated[
        str | None,
        typer.Option(help="The endpoint as readers' browsers reach it (default: --api)."),
    ] = None,
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8001,
    site_name: Annotated[str, typer.Option(help="The site's name in pages.")] = "Broadsheet",
) -> None:
    """Serve the reader site (server-rendered pages; it reads everything through the API).

    The API must list this site's origin in BROADSHEET_CORS_ORIGINS (the sign-up form and
    search as you type call it from the browser). BROADSHEET_READER_API_KEY, if set, is a
    content:read key the reader's server sends, so it has a rate limit of its own.
    """
    import uvicorn

    from reader.app import create_app
    from reader.config import ReaderConfig

    key = get_settings().broadsheet_reader_api_key
    config = ReaderConfig(
        api_url=api,
        browser_api_url=browser_api,
        site_name=site_name,
        api_key=key.get_secret_value() if key else None,
    )
    console.print(f"Reader at [bold]http://{host}:{port}/[/bold] (API {api})")
    uvicorn.run(
        create_app(config),
        host=host,
        port=port,
        log_level="info",
        proxy_headers=False,
        timeout_graceful_shutdown=3,  # browsers hold keep-alive connections open
    )
