"""floorledger.base."""
