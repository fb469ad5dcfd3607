"""Per-request dataloaders: each relation costs one statement per batch, whatever the page size.

Loaders are named `<result>_by_<key>`; all of them go through the request's session, whose
visibility applies to every statement (api/visibility.py), so a loader cannot show a reader a
draft.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from functools import cached_property
from typing import Any, Self, TypeVar, overload

from strawberry.dataloader import AbstractCache, DataLoader
from strawberry.exceptions import WrongNumberOfResultsReturned

from api.models import (
    Author,
    Image,
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
    IssueRecord,
    ItemRecord,
    NewsletterRecord,
    SectionRecord,
    SourceRecord,
    TagRecord,
)
from schema.cycles import weakly
from schema.session import RequestSession

K = TypeVar("K")
V = TypeVar("V")
L = TypeVar("L", bound=DataLoader[Any, Any])


class _Futures(AbstractCache[K, V]):
    """The loader's cache: keys answered as plain values (what the list path reads, with no
    future to make or ask), keys being fetched (or failed) as futures."""

    def __init__(self) -> None:
        self.values: dict[K, V] = {}
        self.futures: dict[K, asyncio.Future[V]] = {}

    def get(self, key: K) -> asyncio.Future[V] | None:
        if key in self.values:  # Strawberry's `load` awaits what it gets: a done future
            future: asyncio.Future[V] = asyncio.get_running_loop().create_future()
            future.set_result(self.values[key])
            return future
        return self.futures.get(key)

    def set(self, key: K, value: asyncio.Future[V]) -> None:
        self.values.pop(key, None)
        self.futures[key] = value

    def delete(self, key: K) -> None:
        self.values.pop(key, None)
        self.futures.pop(key, None)

    def clear(self) -> None:
        self.values.clear()
        self.futures.clear()


class Loader(DataLoader[K, V]):
    """Strawberry's DataLoader, answering a list of keys at once without a future per key.

    The planned executor asks for a whole level's keys in one call; going through `load` would
    make a future, a batch task and a gather entry for each key. Here keys already answered come
    straight from the cache's values, and the missing ones are fetched at once, with their
    futures put in the cache first so that a concurrent `load` of the same key waits for this
    fetch instead of starting another; keys in flight for another field are awaited, not
    fetched again. Priming writes values directly too, unless a batch is waiting that the
    primed values might answer.
    """

    def __init__(
        self, load_fn: Callable[[list[K]], Awaitable[Sequence[V | BaseException]]]
    ) -> None:
        self._cached = _Futures[K, V]()
        super().__init__(load_fn=load_fn, cache_map=self._cached)

    async def load_many(self, keys: Iterable[K]) -> list[V]:
        keys = list(keys)
        values = self._cached.values
        futures = self._cached.futures
        known: dict[K, V] = {}
        missing: dict[K, None] = {}
        in_flight: dict[K, asyncio.Future[V]] = {}
        for key in keys:
            if key in values:
                known[key] = values[key]
                continue
            future = futures.get(key)
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
        answered = self._cached.values
        in_flight = self._cached.futures
        for key, future, value in zip(keys, futures, values, strict=True):
            if isinstance(value, BaseException):  # a load function's answer "this key failed"
                future.set_exception(value)
                future.exception()
                failure = failure or value
            else:
                future.set_result(value)  # for whoever awaits it meanwhile
                found[key] = answered[key] = value
                in_flight.pop(key, None)  # answered: the value is the cache's from now on
        if failure is not None:
            raise failure
        return found

    def prime_many(self, data: Mapping[K, V], force: bool = False) -> None:
        batch = self.batch
        if batch is not None and not batch.dispatched:  # may answer keys waiting in the batch
            super().prime_many(data, force)
            return
        values = self._cached.values
        if force:
            values.update(data)
            return
        futures = self._cached.futures
        for key, value in data.items():
            if key not in values and key not in futures:
                values[key] = value


class primable(cached_property[L]):
    """A loader made on first use that starts with whatever was primed for it before
    (`Loaders._prime`): a page primes loaders for all it fetched along with its stories, and
    most pages read only some of them, so a loader nobody reads is never made."""

    @overload
    def __get__(self, instance: None, owner: type[Any] | None = None) -> Self: ...

    @overload
    def __get__(self, instance: object, owner: type[Any] | None = None) -> L: ...

    def __get__(self, instance: object | None, owner: type[Any] | None = None) -> Any:
        if instance is None:
            return self
        made = super().__get__(instance, owner)  # kept in the instance from now on
        assert self.attrname is not None
        assert isinstance(instance, Loaders)
        waiting = instance._primed.pop(self.attrname, None)
        if waiting:
            made.prime_many(waiting)
        return made


def _loader(fetch: Callable[[list[K]], Awaitable[Mapping[K, V]]], missing: V) -> Loader[K, V]:
    async def load(keys: list[K]) -> list[V]:
        found = await fetch(list(dict.fromkeys(keys)))
        return [found.get(key, missing) for key in keys]

    return Loader(load_fn=load)


class Loaders:
    """The request's loaders, each made on first use: a page asks for a handful of the
    seventeen, and a loader costs a DataLoader, its cache and its batch function to make."""

    def __init__(self, db: RequestSession) -> None:
        self._db = db
        # Values primed for loaders not made yet, by loader name (`primable`).
        self._primed: dict[str, dict[Any, Any]] = {}

    @classmethod
    def create(cls, db: RequestSession) -> Loaders:
        return cls(db)

    def _keyed(
        self, query: Callable[..., Awaitable[Mapping[Any, Any]]], missing: Any, *leading: Any
    ) -> DataLoader[Any, Any]:
        """A loader answering from `query(session, *leading, keys)`, a mapping by key
        (`missing` for keys it leaves out)."""
        db = self._db

        async def fetch(keys: list[Any]) -> Mapping[Any, Any]:
            return await db.run(query, *leading, keys)

        return _loader(fetch, missing)

    @primable
    def article_by_id(self) -> DataLoader[int, ArticleRecord | None]:
        db, prime_refs = self._db, weakly(self.prime_refs)  # the loader is kept in self

        async def articles(ids: list[int]) -> dict[int, ArticleRecord | None]:
            found = await db.run(cards.articles_by_ids, ids)
            prime_refs(found.values())
            return {pk: refs.article for pk, refs in found.items()}

        return _loader(articles, None)

    @cached_property
    def text_by_article(self) -> DataLoader[int, ArticleText | None]:
        return self._keyed(cards.article_texts, None)

    @primable
    def source_by_id(self) -> DataLoader[int, SourceRecord | None]:
        return self._keyed(catalogue.rows_by_ids, None, Source)

    @primable
    def section_by_id(self) -> DataLoader[int, SectionRecord | None]:
        return self._keyed(catalogue.rows_by_ids, None, Section)

    @cached_property
    def author_by_id(self) -> DataLoader[int, AuthorRecord | None]:
        return self._keyed(catalogue.rows_by_ids, None, Author)

    @cached_property
    def tag_by_id(self) -> DataLoader[int, TagRecord | None]:
        return self._keyed(catalogue.rows_by_ids, None, Tag)

    @primable
    def image_by_id(self) -> DataLoader[int, ImageRecord | None]:
        return self._keyed(catalogue.rows_by_ids, None, Image)

    @cached_property
    def newsletter_by_id(self) -> DataLoader[int, NewsletterRecord | None]:
        return self._keyed(newsletters.newsletters_by_ids, None)

    @cached_property
    def issue_by_id(self) -> DataLoader[int, IssueRecord | None]:
        return self._keyed(newsletters.issues_by_ids, None)

    @primable
    def authors_by_article(self) -> DataLoader[int, list[AuthorRecord]]:
        return self._keyed(cards.authors_by_article, [])

    @primable
    def tags_by_article(self) -> DataLoader[int, list[TagRecord]]:
        return self._keyed(cards.tags_by_article, [])

    @cached_property
    def countries_by_article(self) -> DataLoader[int, list[str]]:
        return self._keyed(cards.countries_by_article, [])

    @cached_property
    def sections_by_parent(self) -> DataLoader[int, list[SectionRecord]]:
        return self._keyed(catalogue.sections_by_parent, [])

    @cached_property
    def related_by_article(self) -> DataLoader[tuple[int, int, bool], list[ArticleRecord]]:
        """Keys (article id, how many, whether the list shows only the stories themselves)."""
        db, prime_refs, prime = self._db, weakly(self.prime_refs), weakly(self._prime)

        async def related(
            keys: list[tuple[int, int, bool]],
        ) -> dict[tuple[int, int, bool], list[ArticleRecord]]:
            # One statement per distinct `first` and kind (in practice one per page).
            found: dict[tuple[int, int, bool], list[ArticleRecord]] = {}
            for first, bare in sorted({(first, bare) for _, first, bare in keys}):
                ids = [pk for pk, size, alone in keys if (size, alone) == (first, bare)]
                by_article: Mapping[int, list[ArticleRecord]]
                if bare:
                    by_article = await db.run(related_queries.related_stories, ids, first)
                    for stories in by_article.values():
                        prime("article_by_id", {story.id: story for story in stories})
                else:
                    with_refs = await db.run(related_queries.related_articles, ids, first)
                    for refs in with_refs.values():
                        prime_refs(refs)
                    by_article = {
                        pk: [ref.article for ref in listed] for pk, listed in with_refs.items()
                    }
                found.update({(pk, first, bare): by_article.get(pk, []) for pk in ids})
            return found

        return _loader(related, [])

    @cached_property
    def highlight_by_article(self) -> DataLoader[tuple[str, int], str | None]:
        db = self._db

        async def highlights(keys: list[tuple[str, int]]) -> dict[tuple[str, int], str | None]:
            found: dict[tuple[str, int], str | None] = {}
            for query in sorted({query for query, _ in keys}):
                ids = [article_id for text, article_id in keys if text == query]
                by_article = await db.run(search.highlights, query, ids)
                found.update(
                    {(query, article_id): by_article.get(article_id) for article_id in ids}
                )
            return found

        return _loader(highlights, None)

    @cached_property
    def items_by_issue(self) -> DataLoader[int, list[tuple[ItemRecord, ArticleRecord]]]:
        db, prime_refs = self._db, weakly(self.prime_refs)

        async def items(ids: list[int]) -> dict[int, list[tuple[ItemRecord, ArticleRecord]]]:
            found = await db.run(newsletters.items_by_issue, ids)
            listed = [refs for entries in found.values() for _, refs in entries]
            prime_refs(listed)
            return {
                pk: [(item, refs.article) for item, refs in entries]
                for pk, entries in found.items()
            }

        return _loader(items, [])

    @cached_property
    def latest_issue_by_newsletter(self) -> DataLoader[int, IssueRecord | None]:
        return self._keyed(newsletters.latest_issues, None)

    def prime_refs(self, refs: Iterable[ArticleRefs]) -> None:
        """Remember articles, and the sections, sources and images fetched along with them,
        and their bylines and tags when they were read as cards (no second query)."""
        refs = list(refs)
        self._prime("article_by_id", {ref.article.id: ref.article for ref in refs})
        self._prime("section_by_id", {ref.section.id: ref.section for ref in refs})
        self._prime("source_by_id", {ref.source.id: ref.source for ref in refs})
        self._prime(
            "image_by_id", {ref.image.id: ref.image for ref in refs if ref.image is not None}
        )
        authors = {ref.article.id: ref.authors for ref in refs if ref.authors is not None}
        if authors:
            self._prime("authors_by_article", authors)
        tags = {ref.article.id: ref.tags for ref in refs if ref.tags is not None}
        if tags:
            self._prime("tags_by_article", tags)

    def _prime(self, name: str, values: dict[Any, Any]) -> None:
        """Prime the loader `name` with `values`, or keep them until it is made (`primable`):
        as with `prime_many`, a key keeps the value it was first given."""
        made: DataLoader[Any, Any] | None = self.__dict__.get(name)
        if made is not None:
            made.prime_many(values)
            return
        waiting = self._primed.get(name)
        if waiting is None:
            self._primed[name] = values
        else:
            self._primed[name] = {**values, **waiting}
