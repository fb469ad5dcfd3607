"""An article's lead picture as the desk (or ingest) sends it: URL, caption, credit, size.

A new picture is a new `images` row; the previous one is deleted when nothing else (another
story, a source's logo, an author's avatar) still shows it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, exists, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.models import Article, Author, Image, Source
from api.services.validation import Path, Problems

CAPTION_MAX = 2_000
CREDIT_MAX = 300
MAX_DIMENSION = 20_000


@dataclass(frozen=True)
class ImageData:
    """The contract's ImageInput."""

    url: str
    caption: str | None = None
    credit: str | None = None
    width: int | None = None
    height: int | None = None


def check_image(p: Problems, path: Path, data: ImageData) -> ImageData | None:
    """The picture cleaned (trimmed text, an absolute http(s) URL, sizes in pixels), or None."""
    url = p.url((*path, "url"), data.url, required=True)
    caption = p.text((*path, "caption"), data.caption, max_length=CAPTION_MAX)
    credit = p.text((*path, "credit"), data.credit, max_length=CREDIT_MAX)
    valid = url is not None
    for name, size in (("width", data.width), ("height", data.height)):
        if size is not None and not 1 <= size <= MAX_DIMENSION:
            p.add((*path, name), f"Must be between 1 and {MAX_DIMENSION} pixels; got {size}.")
            valid = False
    if not valid or url is None:
        return None
    return ImageData(url, caption, credit, data.width, data.height)


async def replace_image(session: AsyncSession, article: Article, image: ImageData | None) -> None:
    """Show `image` on `article` (None: no picture), dropping the old one if now unused."""
    previous = article.image_id
    if image is None:
        article.image_id = None
    else:
        row = Image(
            url=image.url,
            caption=image.caption,
            credit=image.credit,
            width=image.width,
            height=image.height,
        )
        session.add(row)
        await session.flush()
        article.image_id = row.id
    await session.flush()
    if previous is not None and previous != article.image_id:
        in_use = select(
            or_(
                exists().where(Article.image_id == previous),
                exists().where(Source.logo_id == previous),
                exists().where(Author.avatar_id == previous),
            )
        )
        if not await session.scalar(in_use):
            await session.execute(delete(Image).where(Image.id == previous))
