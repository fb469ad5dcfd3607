"""Feeds in: partner newspapers' RSS and Atom feeds imported through the same write services
as the API (fetching.py: conditional GET within size and time limits; entries.py: from feed
entries to article input; importer.py: one transaction per entry; sources.py: the feeds
configured on sources; polling.py: the worker's schedule)."""
