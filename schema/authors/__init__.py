"""Authors: person and organisation bylines, their directory and feeds, `upsertAuthor`."""
