"""The line kiosk: local signed store, device capture, uplink and touchscreen UI."""
