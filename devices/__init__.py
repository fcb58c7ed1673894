"""Serial badge readers, QR scanners and unit counters, with pty simulators. No UI, no database."""
