"""The hub: ingest, ledger, rules engine, wall board and dashboard."""
