"""Webhook endpoints for admins: register, change, remove, list, replay."""
