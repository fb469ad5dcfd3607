"""The Image type: an article's lead picture, a source's logo, an author's avatar."""

from __future__ import annotations

import strawberry

from api import models
from api.queries.records import ImageRecord
from api.services.article_images import ImageData
from schema.context import Info


@strawberry.type
class Image:
    url: str
    caption: str | None
    credit: str | None
    width: int | None
    height: int | None


@strawberry.input(description="A picture: an absolute http(s) URL, with caption, credit and size.")
class ImageInput:
    url: str
    caption: str | None = None
    credit: str | None = None
    width: int | None = strawberry.field(default=None, description="Pixels, 1-20000.")
    height: int | None = strawberry.field(default=None, description="Pixels, 1-20000.")

    def to_data(self) -> ImageData:
        return ImageData(self.url, self.caption, self.credit, self.width, self.height)


async def load_image(info: Info, image_id: int | None) -> models.Image | ImageRecord | None:
    """The image row with `image_id` (batched per request), or None."""
    if image_id is None:
        return None
    return await info.context.loaders.image_by_id.load(image_id)
