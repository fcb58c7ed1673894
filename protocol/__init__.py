"""The wire contract shared by kiosk and hub: records, signing, hash chain, topics. No I/O."""
