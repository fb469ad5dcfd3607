"""Broadsheet: a headless GraphQL content API for a network of Asian newspapers."""

__version__ = "0.1.0"
