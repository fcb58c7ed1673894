"""hub.kiosks."""
