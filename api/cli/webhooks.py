"""`broadsheet webhooks ...`: register, list, remove endpoints; inspect and replay deliveries.

`webhooks add` prints the signing secret alone on the last line of stdout (everything else goes
to stderr), once: `SECRET=$(broadsheet webhooks add ... | tail -n 1)`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from api.cli.session import database_url, run_read, run_write
from api.settings import get_settings
from api.webhooks import endpoints, history
from api.webhooks.delivery import message_id
from api.webhooks.endpoints import EndpointData, WebhookTargets

webhooks_app = typer.Typer(help="Webhook endpoints and deliveries.", no_args_is_help=True)
out = Console()
err = Console(stderr=True)


def _fail(message: str) -> typer.Exit:
    err.print(f"[red]{message}[/red]")
    return typer.Exit(code=1)


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%SZ") if moment else "-"


def _targets() -> WebhookTargets:
    database_url()  # settings must see the database in use (and so its derived secret)
    return WebhookTargets.from_settings(get_settings())


@webhooks_app.command("add")
def add(
    url: Annotated[str, typer.Argument(help="The receiver's https:// URL.")],
    event: Annotated[list[str], typer.Option(help="An event type to send; repeat for several.")],
    description: Annotated[str | None, typer.Option(help="What this endpoint is.")] = None,
) -> None:
    """Register an endpoint. Its signing secret is printed once, alone on the last line."""
    outcome = run_write(
        endpoints.create_endpoint, None, _targets(), EndpointData(url, event, description)
    )
    if outcome.value is None:
        raise _fail("; ".join(error.message for error in outcome.errors))
    row = outcome.value.row
    err.print(
        f"Endpoint {row.id} registered for {', '.join(row.events)}. "
        "Store the signing secret now: it is not shown again."
    )
    typer.echo(outcome.value.secret)


@webhooks_app.command("list")
def list_command() -> None:
    """Every endpoint, its events and health. Never a secret."""
    table = Table(title="Webhook endpoints")
    for column in ("id", "url", "events", "status", "failures", "last success", "last failure"):
        table.add_column(column)
    for row in run_read(history.all_endpoints):
        table.add_row(
            str(row.id),
            row.url,
            ", ".join(row.events),
            history.endpoint_status(row).value,
            str(row.consecutive_failures),
            _when(row.last_success_at),
            _when(row.last_failure_at),
        )
    out.print(table)


@webhooks_app.command("remove")
def remove(endpoint_id: Annotated[int, typer.Argument(help="The endpoint's id.")]) -> None:
    """Remove an endpoint and its delivery history."""
    outcome = run_write(endpoints.delete_endpoint, None, endpoint_id)
    if outcome.value is None:
        raise _fail(f"No endpoint with id {endpoint_id}.")
    err.print(f"Removed endpoint {endpoint_id}.")


@webhooks_app.command("deliveries")
def deliveries(
    endpoint: Annotated[int | None, typer.Option(help="Only this endpoint's.")] = None,
    state: Annotated[str | None, typer.Option(help="pending, delivered or failed.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=100)] = 20,
    attempts: Annotated[bool, typer.Option(help="Show every attempt too.")] = False,
) -> None:
    """The newest deliveries: event, state, attempts, last answer."""
    rows = run_read(history.recent_deliveries, endpoint, state, limit)
    logs = run_read(history.attempts_by_delivery, [d.id for d, _ in rows]) if attempts else {}
    table = Table(title="Webhook deliveries")
    for column in ("id", "endpoint", "event", "webhook-id", "state", "attempts", "last status"):
        table.add_column(column)
    for delivery, event in rows:
        table.add_row(
            str(delivery.id),
            str(delivery.endpoint_id),
            event.type,
            message_id(event),
            delivery.state,
            str(delivery.attempts),
            str(delivery.last_status or "-"),
        )
        for attempt in logs.get(delivery.id, []):
            answer = attempt.status_code or attempt.error or "-"
            table.add_row(
                "", "", _when(attempt.attempted_at), f"{attempt.latency_ms} ms", str(answer), "", ""
            )
    out.print(table)


@webhooks_app.command("replay")
def replay(
    delivery: Annotated[int | None, typer.Argument(help="A delivery's id.")] = None,
    endpoint: Annotated[int | None, typer.Option(help="Replay this endpoint's deliveries.")] = None,
    since: Annotated[
        datetime | None, typer.Option(help="With --endpoint: deliveries created since (UTC).")
    ] = None,
    all_deliveries: Annotated[
        bool, typer.Option("--all", help="With --endpoint: not only the failed ones.")
    ] = False,
) -> None:
    """Send a delivery again, or an endpoint's (failed) deliveries since a time."""
    if delivery is not None:
        outcome = run_write(endpoints.replay_delivery, None, delivery)
        if outcome.value is None:
            raise _fail(f"No delivery with id {delivery}.")
        err.print(f"Delivery {delivery} will be sent again.")
        return
    if endpoint is None or since is None:
        raise _fail("Name a delivery, or --endpoint ID --since TIME.")
    moment = since if since.tzinfo else since.replace(tzinfo=UTC)
    count = run_write(endpoints.replay_since, None, endpoint, moment, not all_deliveries)
    if count.value is None:
        raise _fail(f"No endpoint with id {endpoint}.")
    err.print(f"{count.value} deliveries will be sent again.")
