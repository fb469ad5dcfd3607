"""The Strawberry GraphQL schema of Broadsheet, one module per domain, merged in `schema.root`."""
