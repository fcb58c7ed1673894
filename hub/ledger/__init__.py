"""hub.ledger.entries."""
