"""Newsletter mutations: compose and publish issues (the desk); sign up, confirm, unsubscribe
(readers, no key needed)."""

from __future__ import annotations

from datetime import date

import strawberry

from api import editorial, subscriptions
from api.models import NewsletterIssue as IssueRow
from api.writes import Outcome
from schema.context import Info
from schema.newsletters import Newsletter, NewsletterIssue
from schema.permissions import WRITERS, WithinSignupLimit
from schema.relay import pk_of
from schema.writes import UserError, run_write, user_errors

SIGNUP_ACCEPTED = (
    "Thanks! If this address can receive mail, a confirmation link is on its way. "
    "The subscription starts once the link is opened."
)


@strawberry.input(description="One story in an issue.")
class NewsletterItemInput:
    article: strawberry.ID
    blurb: str | None = strawberry.field(
        default=None, description="The editor's line; the article's excerpt when absent."
    )


@strawberry.input(description="A day's issue: unpublished until publishNewsletterIssue.")
class NewsletterIssueInput:
    newsletter: str = strawberry.field(description="Newsletter slug.")
    date: date = strawberry.field(description="One issue per newsletter per date.")
    title: str
    intro: str | None = None
    items: list[NewsletterItemInput] = strawberry.field(
        description="In editorial order (at most 100)."
    )


@strawberry.type
class NewsletterIssuePayload:
    issue: NewsletterIssue | None
    user_errors: list[UserError]


@strawberry.type(
    description="The answer to a sign-up: the same whether or not the address was subscribed."
)
class SubscribePayload:
    accepted: bool
    message: str | None
    newsletter: Newsletter | None
    user_errors: list[UserError]


@strawberry.type
class ConfirmSubscriptionPayload:
    confirmed: bool
    newsletter: Newsletter | None
    user_errors: list[UserError]


@strawberry.type
class UnsubscribePayload:
    unsubscribed: bool
    newsletter: Newsletter | None
    user_errors: list[UserError]


def issue_payload(outcome: Outcome[IssueRow]) -> NewsletterIssuePayload:
    row = outcome.value
    return NewsletterIssuePayload(
        issue=NewsletterIssue.from_row(row) if row else None, user_errors=user_errors(outcome)
    )


async def _newsletter(info: Info, newsletter_id: int) -> Newsletter | None:
    row = await info.context.loaders.newsletter_by_id.load(newsletter_id)
    return Newsletter.from_row(row) if row else None


@strawberry.type
class NewsletterMutations:
    @strawberry.mutation(permission_classes=WRITERS, description="Compose an issue.")
    async def create_newsletter_issue(
        self, info: Info, input: NewsletterIssueInput
    ) -> NewsletterIssuePayload:
        data = editorial.IssueData(
            newsletter=input.newsletter,
            date=input.date,
            title=input.title,
            intro=input.intro,
            items=[
                editorial.IssueItemData(article_id=pk_of(item.article, "Article"), blurb=item.blurb)
                for item in input.items
            ],
        )
        return issue_payload(await run_write(info, editorial.create_newsletter_issue, data))

    @strawberry.mutation(permission_classes=WRITERS, description="Publish an issue now.")
    async def publish_newsletter_issue(
        self, info: Info, id: strawberry.ID
    ) -> NewsletterIssuePayload:
        outcome = await run_write(
            info, editorial.publish_newsletter_issue, pk_of(id, "NewsletterIssue")
        )
        return issue_payload(outcome)

    @strawberry.mutation(
        permission_classes=[WithinSignupLimit],
        description="Sign a reader up (double opt-in: a confirmation link is mailed). No key "
        "needed; the answer never reveals whether the address was already subscribed.",
    )
    async def subscribe_to_newsletter(
        self, info: Info, newsletter: str, email: str, consent: bool
    ) -> SubscribePayload:
        context = info.context
        context.db.use_primary()
        outcome = await context.db.run(
            subscriptions.subscribe, context.mailer, newsletter, email, consent
        )
        signup = outcome.value
        return SubscribePayload(
            accepted=signup is not None,
            message=SIGNUP_ACCEPTED if signup is not None else None,
            newsletter=Newsletter.from_row(signup.newsletter) if signup is not None else None,
            user_errors=user_errors(outcome),
        )

    @strawberry.mutation(description="Confirm a subscription with the token from its link.")
    async def confirm_subscription(self, info: Info, token: str) -> ConfirmSubscriptionPayload:
        context = info.context
        context.db.use_primary()
        outcome = await context.db.run(subscriptions.confirm, token)
        subscriber = outcome.value
        return ConfirmSubscriptionPayload(
            confirmed=subscriber is not None,
            newsletter=await _newsletter(info, subscriber.newsletter_id) if subscriber else None,
            user_errors=user_errors(outcome),
        )

    @strawberry.mutation(description="End a subscription with the token from its unsubscribe link.")
    async def unsubscribe(self, info: Info, token: str) -> UnsubscribePayload:
        context = info.context
        context.db.use_primary()
        outcome = await context.db.run(subscriptions.unsubscribe, token)
        subscriber = outcome.value
        return UnsubscribePayload(
            unsubscribed=subscriber is not None,
            newsletter=await _newsletter(info, subscriber.newsletter_id) if subscriber else None,
            user_errors=user_errors(outcome),
        )
