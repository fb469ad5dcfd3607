"""Pictures through the write API: `image` on ArticleInput and ArticlePatch, validated like
every other field (a bad one changes nothing), replaced and removed."""

from __future__ import annotations

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from tests.api_clients import data, fingerprint, issue_key

CREATE = """
mutation($input: ArticleInput!) {
  createArticle(input: $input) {
    article { id image { url caption credit width height } }
    userErrors { field message code }
  }
}
"""
UPDATE = """
mutation($id: ID!, $input: ArticlePatch!) {
  updateArticle(id: $id, input: $input) {
    article { id image { url caption credit width height } }
    userErrors { field message code }
  }
}
"""
PICTURE = {
    "url": "https://images.example/summit.jpg",
    "caption": "  Leaders arrive at the summit.  ",
    "credit": "Photo: Jane Doe",
    "width": 1600,
    "height": 900,
}


def story(**extra: object) -> dict[str, object]:
    return {
        "source": "the-korea-herald",
        "section": "diplomacy",
        "headline": "Summit opens",
        "body": "<p>Leaders met.</p>",
        **extra,
    }


async def test_an_article_is_created_with_a_picture_then_changes_and_loses_it(
    client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    desk = await issue_key(db_session, "content:write")
    created = (await data(client, CREATE, desk, input=story(image=PICTURE)))["createArticle"]
    assert created["userErrors"] == []
    assert created["article"]["image"] == {**PICTURE, "caption": "Leaders arrive at the summit."}
    article_id = created["article"]["id"]
    images = await db_session.scalar(text("SELECT count(*) FROM images"))

    replaced = (
        await data(
            client,
            UPDATE,
            desk,
            id=article_id,
            input={"image": {"url": "https://images.example/2.png"}},
        )
    )["updateArticle"]
    assert replaced["article"]["image"] == {
        "url": "https://images.example/2.png",
        "caption": None,
        "credit": None,
        "width": None,
        "height": None,
    }
    assert await db_session.scalar(text("SELECT count(*) FROM images")) == images, (
        "the old one went"
    )

    kept = await data(client, UPDATE, desk, id=article_id, input={"headline": "Summit opens today"})
    assert kept["updateArticle"]["article"]["image"]["url"] == "https://images.example/2.png"
    removed = (await data(client, UPDATE, desk, id=article_id, input={"image": None}))[
        "updateArticle"
    ]
    assert removed["article"]["image"] is None
    assert await db_session.scalar(text("SELECT count(*) FROM images")) == images - 1


async def test_bad_pictures_are_user_errors_and_change_nothing(
    client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    desk = await issue_key(db_session, "content:write")
    before = await fingerprint(db_session)
    bad = {
        "url": "javascript:alert(1)",
        "credit": "x" * 301,
        "width": 0,
        "height": 99_999,
    }
    result = (await data(client, CREATE, desk, input=story(image=bad)))["createArticle"]
    assert result["article"] is None
    assert sorted(tuple(e["field"]) for e in result["userErrors"]) == [
        ("input", "image", "credit"),
        ("input", "image", "height"),
        ("input", "image", "url"),
        ("input", "image", "width"),
    ]
    assert {e["code"] for e in result["userErrors"]} == {"BAD_USER_INPUT"}
    assert await fingerprint(db_session) == before
