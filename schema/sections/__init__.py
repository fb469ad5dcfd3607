"""Sections: the site's section tree, each section's feed, and `upsertSection`."""
