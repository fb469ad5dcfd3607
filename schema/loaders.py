"""Per-request dataloaders: each relation costs one statement per batch, whatever the page size.

Loaders are named `<result>_by_<key>`; all of them go through the request's session, whose
visibility applies to every statement (api/visibility.py), so a loader cannot show a reader a
draft.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from strawberry.dataloader import AbstractCache, DataLoader
from strawberry.exceptions import WrongNumberOfResultsReturned

from api.models import (
    Author,
    Image,
    Newsletter,
    NewsletterIssue,
    NewsletterItem,
    Section,
    Source,
    Tag,
)
from api.queries import cards, catalogue, newsletters, search
from api.queries import related as related_queries
from api.queries.cards import ArticleRefs
from api.queries.records import (
    ArticleRecord,
    ArticleText,
    AuthorRecord,
    ImageRecord,
    SectionRecord,
    SourceRecord,
    TagRecord,
)
from schema.session import RequestSession

K = TypeVar("K")
V = TypeVar("V")


class _Futures(AbstractCache[K, V]):
    """The loader's cache as a plain dict its list path reads directly."""

    def __init__(self) -> None:
        self.futures: dict[K, asyncio.Future[V]] = {}

    def get(self, key: K) -> asyncio.Future[V] | None:
        return self.futures.get(key)

    def set(self, key: K, value: asyncio.Future[V]) -> None:
        self.futures[key] = value

    def delete(self, key: K) -> None:
        del self.futures[key]

    def clear(self) -> None:
        self.futures.clear()


class Loader(DataLoader[K, V]):
    """Strawberry's DataLoader, answering a list of keys at once without a future per key.

    The planned executor asks for a whole level's keys in one call; going through `load` would
    make a future, a batch task and a gather entry for each key. Here keys already answered come
    straight from the cache, and the missing ones are fetched at once, with their futures put in
    the cache first so that a concurrent `load` of the same key waits for this fetch instead of
    starting another; keys in flight for another field are awaited, not fetched again. Priming
    writes the cache directly too, unless a batch is waiting that the primed values might answer.
    """

    def __init__(
        self, load_fn: Callable[[list[K]], Awaitable[Sequence[V | BaseException]]]
    ) -> None:
        self._cached = _Futures[K, V]()
        super().__init__(load_fn=load_fn, cache_map=self._cached)

    async def load_many(self, keys: Iterable[K]) -> list[V]:
        keys = list(keys)
        cached = self._cached.futures
        known: dict[K, V] = {}
        missing: dict[K, None] = {}
        in_flight: dict[K, asyncio.Future[V]] = {}
        for key in keys:
            future = cached.get(key)
            if future is None or future.cancelled():
                missing[key] = None
            elif future.done():
                known[key] = future.result()  # a remembered failure raises, as `load` would
            else:  # being fetched for another field (or waiting in a batch): share it
                in_flight[key] = future
        if missing:
            known.update(await self._fetch(list(missing)))
        for key, future in in_flight.items():
            known[key] = await future
        return [known[key] for key in keys]

    async def _fetch(self, keys: list[K]) -> dict[K, V]:
        futures = [self.loop.create_future() for _ in keys]
        self._cached.futures.update(zip(keys, futures, strict=True))
        try:
            values = list(await self.load_fn(keys))
            if len(values) != len(keys):
                raise WrongNumberOfResultsReturned(expected=len(keys), received=len(values))
        except Exception as error:
            for future in futures:
                future.set_exception(error)
                future.exception()  # retrieved: whoever shares the key sees it, no warning
            raise
        except BaseException:  # cancelled: a later load fetches afresh
            for key, future in zip(keys, futures, strict=True):
                self.cache_map.delete(key)
                future.cancel()
            raise
        found: dict[K, V] = {}
        failure: BaseException | None = None
        for key, future, value in zip(keys, futures, values, strict=True):
            if isinstance(value, BaseException):  # a load function's answer "this key failed"
                future.set_exception(value)
                future.exception()
                failure = failure or value
            else:
                future.set_result(value)
                found[key] = value
        if failure is not None:
            raise failure
        return found

    def prime_many(self, data: Mapping[K, V], force: bool = False) -> None:
        batch = self.batch
        if batch is not None and not batch.dispatched:  # may answer keys waiting in the batch
            super().prime_many(data, force)
            return
        cached = self._cached.futures
        create = self.loop.create_future
        for key, value in data.items():
            if force or key not in cached:
                future = cached[key] = create()
                future.set_result(value)


def _loader(fetch: Callable[[list[K]], Awaitable[dict[K, V]]], missing: V) -> Loader[K, V]:
    async def load(keys: list[K]) -> list[V]:
        found = await fetch(list(dict.fromkeys(keys)))
        return [found.get(key, missing) for key in keys]

    return Loader(load_fn=load)


@dataclass
class Loaders:
    article_by_id: DataLoader[int, ArticleRecord | None]
    text_by_article: DataLoader[int, ArticleText | None]
    source_by_id: DataLoader[int, SourceRecord | None]
    section_by_id: DataLoader[int, SectionRecord | None]
    author_by_id: DataLoader[int, AuthorRecord | None]
    tag_by_id: DataLoader[int, TagRecord | None]
    image_by_id: DataLoader[int, ImageRecord | None]
    newsletter_by_id: DataLoader[int, Newsletter | None]
    issue_by_id: DataLoader[int, NewsletterIssue | None]
    authors_by_article: DataLoader[int, list[AuthorRecord]]
    tags_by_article: DataLoader[int, list[TagRecord]]
    countries_by_article: DataLoader[int, list[str]]
    sections_by_parent: DataLoader[int, list[SectionRecord]]
    related_by_article: DataLoader[tuple[int, int], list[ArticleRecord]]
    highlight_by_article: DataLoader[tuple[str, int], str | None]
    items_by_issue: DataLoader[int, list[tuple[NewsletterItem, ArticleRecord]]]
    latest_issue_by_newsletter: DataLoader[int, NewsletterIssue | None]

    @classmethod
    def create(cls, db: RequestSession) -> Loaders:
        def rows(model: catalogue.Model) -> DataLoader[int, Any]:
            async def fetch(ids: list[int]) -> dict[int, Any]:
                return await db.run(catalogue.rows_by_ids, model, ids)

            return _loader(fetch, None)

        async def articles(ids: list[int]) -> dict[int, ArticleRecord | None]:
            found = await db.run(cards.articles_by_ids, ids)
            loaders.prime_refs(found.values())
            return {pk: refs.article for pk, refs in found.items()}

        async def texts(ids: list[int]) -> dict[int, ArticleText | None]:
            return dict(await db.run(cards.article_texts, ids))

        async def authors(ids: list[int]) -> dict[int, list[AuthorRecord]]:
            return await db.run(cards.authors_by_article, ids)

        async def tags(ids: list[int]) -> dict[int, list[TagRecord]]:
            return await db.run(cards.tags_by_article, ids)

        async def countries(ids: list[int]) -> dict[int, list[str]]:
            return await db.run(cards.countries_by_article, ids)

        async def children(ids: list[int]) -> dict[int, list[SectionRecord]]:
            return await db.run(catalogue.sections_by_parent, ids)

        async def related(
            keys: list[tuple[int, int]],
        ) -> dict[tuple[int, int], list[ArticleRecord]]:
            # One statement per distinct `first` (in practice one per page).
            found: dict[tuple[int, int], list[ArticleRecord]] = {}
            for first in sorted({first for _, first in keys}):
                ids = [article_id for article_id, size in keys if size == first]
                by_article = await db.run(related_queries.related_articles, ids, first)
                for refs in by_article.values():
                    loaders.prime_refs(refs)
                found.update(
                    {
                        (article_id, first): [ref.article for ref in by_article.get(article_id, [])]
                        for article_id in ids
                    }
                )
            return found

        async def highlights(keys: list[tuple[str, int]]) -> dict[tuple[str, int], str | None]:
            found: dict[tuple[str, int], str | None] = {}
            for query in sorted({query for query, _ in keys}):
                ids = [article_id for text, article_id in keys if text == query]
                by_article = await db.run(search.highlights, query, ids)
                found.update(
                    {(query, article_id): by_article.get(article_id) for article_id in ids}
                )
            return found

        async def issues(ids: list[int]) -> dict[int, NewsletterIssue | None]:
            return dict(await db.run(newsletters.issues_by_ids, ids))

        async def items(ids: list[int]) -> dict[int, list[tuple[NewsletterItem, ArticleRecord]]]:
            found = await db.run(newsletters.items_by_issue, ids)
            listed = [refs for entries in found.values() for _, refs in entries]
            loaders.prime_refs(listed)
            return {
                pk: [(item, refs.article) for item, refs in entries]
                for pk, entries in found.items()
            }

        async def latest(ids: list[int]) -> dict[int, NewsletterIssue | None]:
            return dict(await db.run(newsletters.latest_issues, ids))

        async def newsletter_rows(ids: list[int]) -> dict[int, Newsletter | None]:
            return dict(await db.run(newsletters.newsletters_by_ids, ids))

        loaders = cls(
            article_by_id=_loader(articles, None),
            text_by_article=_loader(texts, None),
            source_by_id=rows(Source),
            section_by_id=rows(Section),
            author_by_id=rows(Author),
            tag_by_id=rows(Tag),
            image_by_id=rows(Image),
            newsletter_by_id=_loader(newsletter_rows, None),
            issue_by_id=_loader(issues, None),
            authors_by_article=_loader(authors, []),
            tags_by_article=_loader(tags, []),
            countries_by_article=_loader(countries, []),
            sections_by_parent=_loader(children, []),
            related_by_article=_loader(related, []),
            highlight_by_article=_loader(highlights, None),
            items_by_issue=_loader(items, []),
            latest_issue_by_newsletter=_loader(latest, None),
        )
        return loaders

    def prime_refs(self, refs: Iterable[ArticleRefs]) -> None:
        """Remember articles, and the sections, sources and images fetched along with them
        (no second query)."""
        refs = list(refs)
        self.article_by_id.prime_many({ref.article.id: ref.article for ref in refs})
        self.section_by_id.prime_many({ref.section.id: ref.section for ref in refs})
        self.source_by_id.prime_many({ref.source.id: ref.source for ref in refs})
        self.image_by_id.prime_many(
            {ref.image.id: ref.image for ref in refs if ref.image is not None}
        )
