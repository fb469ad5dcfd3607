"""The HTTP layer: the ASGI app, `/graphql` over HTTP, the access guard, caching headers and
metrics. The only part of api/ that knows the GraphQL schema."""
