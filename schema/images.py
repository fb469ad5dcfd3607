"""The Image type: an article's lead picture, a source's logo, an author's avatar."""

from __future__ import annotations

import strawberry

from api import models
from schema.context import Info


@strawberry.type
class Image:
    url: str
    caption: str | None
    credit: str | None
    width: int | None
    height: int | None


async def load_image(info: Info, image_id: int | None) -> models.Image | None:
    """The image row with `image_id` (batched per request), or None."""
    if image_id is None:
        return None
    return await info.context.loaders.image_by_id.load(image_id)
