"""Database models, engine and migrations (only the manager uses these)."""
