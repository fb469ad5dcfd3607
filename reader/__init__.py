"""The reference reader: a small newsroom site that reads everything through the public GraphQL
API over HTTP (persisted queries over GET), with no access to Broadsheet's database or code."""
