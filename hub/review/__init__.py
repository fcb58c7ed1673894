"""hub.review."""
