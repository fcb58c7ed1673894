"""hub.audit."""
