"""The query layer: every SQL statement the read API runs, with visibility applied in one place."""
