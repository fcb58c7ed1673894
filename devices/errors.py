"""The devices package's exceptions. Drivers never raise into a kiosk at run time: they emit events."""


class DeviceError(Exception):
    """Base class for errors raised by the devices package."""


class DeviceConfigError(DeviceError, ValueError):
    """A device configuration is invalid: unknown key, wrong type, value out of range."""
