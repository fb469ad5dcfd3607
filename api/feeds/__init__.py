"""Feeds out: what a feed holds (content.py), RSS 2.0, Atom 1.0 and JSON Feed 1.1
(syndication.py), and sitemaps: Google News and the index of everything (sitemaps.py). Served
by api/http/feeds.py."""
