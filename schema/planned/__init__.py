"""Planned execution: queries answered level by level from a plan made once per document."""
