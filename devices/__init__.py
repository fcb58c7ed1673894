"""Serial badge readers, QR scanners and unit counters, with pty simulators. No UI, no database.

The kiosk imports from `devices.api`. Layout:

- `events`, `interfaces`, `config`, `errors`: the public contract (typed events, device protocols,
  typed settings);
- `badge_frames`, `scanner_frames`, `counter_frames`, `codes`, `counting`, `framing`: pure parsing
  and arithmetic, fed bytes and the time, tested from tables and properties;
- `badge`, `scanner`, `counter`, `modbus`, `driver`: the `...Hardware` drivers (one reader thread
  each, reconnect with backoff) and the in-process `...Simulation`s;
- `pty`, `simulators`: devices that speak the real byte protocols on pseudo-terminals;
- `factory` (`open_device`), `testing` (event recorder, manual clock), `cli` (`floorledger devices`).

See docs/devices.md.
"""
