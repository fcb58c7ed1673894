"""hub.store."""
