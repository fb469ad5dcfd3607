"""Newsletters: Eastern Briefings and its issues; composing, publishing and signing up."""
