"""API keys as GraphQL sees them: `viewer` (the calling key) and admin key management."""
