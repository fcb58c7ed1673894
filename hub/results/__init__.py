"""hub.results.worker."""
