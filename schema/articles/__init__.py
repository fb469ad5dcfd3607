"""Articles: the Article type, the `article(s)` and `search` queries, and article mutations."""
