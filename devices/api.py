"""Everything a kiosk needs from `devices`, in one import.

    from devices.api import BadgeRead, open_device, parse_device_config

    reader = open_device(parse_device_config({"kind": "badge", "name": "badge0", "url": "/dev/ttyUSB0"}))
    reader.on_event = events.put        # called on the driver's thread: hand over, return quickly
    reader.start()
    ...
    reader.stop()

The modules behind these names may be reorganised; these names stay.
"""

from devices.badge import BadgeReaderHardware, BadgeReaderSimulation
from devices.config import (
    BadgeReaderConfig,
    CodeScannerConfig,
    DeviceConfig,
    ModbusCounterConfig,
    SerialCounterConfig,
    parse_device_config,
)
from devices.counter import SerialCounterHardware, UnitCounterSimulation
from devices.errors import DeviceConfigError, DeviceError
from devices.events import (
    BadgeRead,
    BundleTicketScanned,
    CodeScanned,
    CounterReset,
    DeviceConnected,
    DeviceDisconnected,
    DeviceEvent,
    DeviceFault,
    EventCallback,
    PersonScanned,
    ReadError,
    TicketError,
    UnitsCounted,
    format_event,
    interpret_code,
)
from devices.factory import open_device
from devices.interfaces import BadgeReader, CodeScanner, Device, UnitCounter
from devices.modbus import ModbusCounterHardware
from devices.scanner import CodeScannerHardware, CodeScannerSimulation
from protocol.codes import (
    BundleTicket,
    CodeFormatError,
    PersonCode,
    encode_bundle_ticket,
    encode_person_code,
    parse_bundle_ticket,
    parse_person_code,
)

__all__ = [
    "BadgeRead",
    "BadgeReader",
    "BadgeReaderConfig",
    "BadgeReaderHardware",
    "BadgeReaderSimulation",
    "BundleTicket",
    "BundleTicketScanned",
    "CodeFormatError",
    "CodeScanned",
    "CodeScanner",
    "CodeScannerConfig",
    "CodeScannerHardware",
    "CodeScannerSimulation",
    "CounterReset",
    "Device",
    "DeviceConfig",
    "DeviceConfigError",
    "DeviceConnected",
    "DeviceDisconnected",
    "DeviceError",
    "DeviceEvent",
    "DeviceFault",
    "EventCallback",
    "ModbusCounterConfig",
    "ModbusCounterHardware",
    "PersonCode",
    "PersonScanned",
    "ReadError",
    "SerialCounterConfig",
    "SerialCounterHardware",
    "TicketError",
    "UnitCounter",
    "UnitCounterSimulation",
    "UnitsCounted",
    "encode_bundle_ticket",
    "encode_person_code",
    "format_event",
    "interpret_code",
    "open_device",
    "parse_bundle_ticket",
    "parse_device_config",
    "parse_person_code",
]
