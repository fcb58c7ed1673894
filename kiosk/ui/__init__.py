"""The kiosk's touchscreen: the screen model (controller) and the NiceGUI page."""

from kiosk.ui.controller import Enrollment, KioskController, LinkStatus, input_for
from kiosk.ui.page import kiosk_page

__all__ = ["Enrollment", "KioskController", "LinkStatus", "input_for", "kiosk_page"]
