"""Which entities a response holds, so caches can purge exactly the responses a change touches.

Tags are plain strings: `article:12` for one entity (any Node type, lower-cased name and primary
key), `list:article` for "a list of articles whose membership can change" (a feed, related
stories, newsletter items; see schema/limits.py, which finds lists in the document so that even
an empty feed depends on new articles). A mutation that changes article 12 purges `article:12`;
one that publishes or unpublishes it purges `list:article` too.

Entity tags are collected while executing, by `TaggingExecutor`: graphql-core completes every
object value through `complete_object_value`, so one call per object (not per field) records
the Node objects the response contains, whatever resolver produced them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from graphql import GraphQLObjectType
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from schema.relay import from_global_id

# Above this many entity tags a response is tagged `<type>:any` per type instead; every purge
# of an entity also purges its type's `:any` tag (CDNs cap tag headers at 16 KB).
MAX_ENTITY_TAGS = 256


def entity_tag(type_name: str, pk: int) -> str:
    return f"{type_name.lower()}:{pk}"


def list_tag(type_name: str) -> str:
    return f"list:{type_name.lower()}"


def any_tag(type_name: str) -> str:
    return f"{type_name.lower()}:any"


def tag_of_global_id(global_id: str) -> str | None:
    decoded = from_global_id(global_id)
    return entity_tag(*decoded) if decoded else None


def purge_tags(tags: Iterable[str]) -> set[str]:
    """`tags` plus the `<type>:any` tag of each entity tag (see MAX_ENTITY_TAGS)."""
    expanded = set(tags)
    for tag in list(expanded):
        kind, _, rest = tag.partition(":")
        if kind != "list" and rest and rest != "any":
            expanded.add(f"{kind}:any")
    return expanded


class ResponseTags:
    """One request's tags: entities seen while executing, lists the document reads, and what
    mutations changed (purged once the request is done, after their commit)."""

    def __init__(self) -> None:
        self.entities: set[str] = set()
        self.lists: set[str] = set()
        self.changed: set[str] = set()

    def record(self, value: Any) -> None:
        global_id = getattr(value, "id", None)
        if isinstance(global_id, str) and (tag := tag_of_global_id(global_id)):
            self.entities.add(tag)

    def invalidate(self, *tags: str) -> None:
        """Mark `tags` (entity_tag / list_tag values) as changed by this request."""
        self.changed.update(tags)

    def for_response(self) -> list[str]:
        """The tags to send with the response, bounded in number (see MAX_ENTITY_TAGS)."""
        entities = self.entities
        if len(entities) > MAX_ENTITY_TAGS:
            entities = {f"{tag.partition(':')[0]}:any" for tag in entities}
        return sorted(self.lists) + sorted(entities)


class TaggingExecutor(StrawberryGraphQLCoreExecutionContext):
    """graphql-core's executor, recording each Node object it completes in the context's tags."""

    _node_types: dict[str, bool] = {}

    def complete_object_value(
        self,
        return_type: GraphQLObjectType,
        field_details_list: Any,
        info: Any,
        path: Any,
        result: Any,
        position_context: Any,
    ) -> Any:
        tags = getattr(self.context_value, "tags", None)
        if isinstance(tags, ResponseTags) and self._is_node(return_type):
            tags.record(result)
        return super().complete_object_value(
            return_type, field_details_list, info, path, result, position_context
        )

    @classmethod
    def _is_node(cls, object_type: GraphQLObjectType) -> bool:
        known = cls._node_types.get(object_type.name)
        if known is None:
            known = any(i.name == "Node" for i in object_type.interfaces)
            cls._node_types[object_type.name] = known
        return known
