"""Newsletter mutations: compose and publish issues (the desk); sign up, confirm, unsubscribe
(readers, no key needed)."""

from __future__ import annotations

from datetime import date

import strawberry

from api import models
from api.queries.records import NewsletterRecord
from api.services import newsletters, subscriptions
from api.services.outcome import Outcome
from schema.context import Info
from schema.mutations import UserError, actor, run_write, user_errors
from schema.permissions import WRITERS, WithinSignupLimit
from schema.refs import IssueRef, NewsletterRef
from schema.relay import pk_of

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
    issue: models.NewsletterIssue | None = strawberry.field(graphql_type=IssueRef | None)
    user_errors: list[UserError]


@strawberry.type(
    description="The answer to a sign-up: the same whether or not the address was subscribed."
)
class SubscribePayload:
    accepted: bool
    message: str | None
    newsletter: models.Newsletter | NewsletterRecord | None = strawberry.field(
        graphql_type=NewsletterRef | None
    )
    user_errors: list[UserError]


@strawberry.type
class ConfirmSubscriptionPayload:
    confirmed: bool
    newsletter: models.Newsletter | NewsletterRecord | None = strawberry.field(
        graphql_type=NewsletterRef | None
    )
    user_errors: list[UserError]


@strawberry.type
class UnsubscribePayload:
    unsubscribed: bool
    newsletter: models.Newsletter | NewsletterRecord | None = strawberry.field(
        graphql_type=NewsletterRef | None
    )
    user_errors: list[UserError]


def issue_payload(outcome: Outcome[models.NewsletterIssue]) -> NewsletterIssuePayload:
    return NewsletterIssuePayload(issue=outcome.value, user_errors=user_errors(outcome))


async def _newsletter(info: Info, newsletter_id: int) -> NewsletterRecord | None:
    return await info.context.loaders.newsletter_by_id.load(newsletter_id)


@strawberry.type
class NewsletterMutations:
    @strawberry.mutation(permission_classes=WRITERS, description="Compose an issue.")
    async def create_newsletter_issue(
        self, info: Info, input: NewsletterIssueInput
    ) -> NewsletterIssuePayload:
        data = newsletters.IssueData(
            newsletter=input.newsletter,
            date=input.date,
            title=input.title,
            intro=input.intro,
            items=[
                newsletters.IssueItemData(
                    article_id=pk_of(item.article, "Article"), blurb=item.blurb
                )
                for item in input.items
            ],
        )
        outcome = await run_write(info, newsletters.create_newsletter_issue, actor(info), data)
        return issue_payload(outcome)

    @strawberry.mutation(permission_classes=WRITERS, description="Publish an issue now.")
    async def publish_newsletter_issue(
        self, info: Info, id: strawberry.ID
    ) -> NewsletterIssuePayload:
        outcome = await run_write(
            info, newsletters.publish_newsletter_issue, actor(info), pk_of(id, "NewsletterIssue")
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
        # The confirmation mail is a job committed with the sign-up (api/mail/jobs.py).
        outcome = await run_write(info, subscriptions.subscribe, newsletter, email, consent)
        signup = outcome.value
        return SubscribePayload(
            accepted=signup is not None,
            message=SIGNUP_ACCEPTED if signup is not None else None,
            newsletter=signup.newsletter if signup is not None else None,
            user_errors=user_errors(outcome),
        )

    @strawberry.mutation(description="Confirm a subscription with the token from its link.")
    async def confirm_subscription(self, info: Info, token: str) -> ConfirmSubscriptionPayload:
        outcome = await run_write(info, subscriptions.confirm, token)
        subscriber = outcome.value
        return ConfirmSubscriptionPayload(
            confirmed=subscriber is not None,
            newsletter=await _newsletter(info, subscriber.newsletter_id) if subscriber else None,
            user_errors=user_errors(outcome),
        )

    @strawberry.mutation(description="End a subscription with the token from its unsubscribe link.")
    async def unsubscribe(self, info: Info, token: str) -> UnsubscribePayload:
        outcome = await run_write(info, subscriptions.unsubscribe, token)
        subscriber = outcome.value
        return UnsubscribePayload(
            unsubscribed=subscriber is not None,
            newsletter=await _newsletter(info, subscriber.newsletter_id) if subscriber else None,
            user_errors=user_errors(outcome),
        )
