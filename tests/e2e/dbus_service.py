"""What the test's own D-Bus services (notifyd.py, tray.py) share: running one on the session
bus, and D-Bus values as plain JSON data."""

import signal

import dbus
import dbus.service
from dbus.mainloop.glib import DBusGMainLoop
from gi.repository import GLib


def plain(value):
    """A D-Bus value as plain JSON data."""
    if isinstance(value, (dbus.Boolean, bool)):
        return bool(value)
    if isinstance(value, (dbus.Byte, int)):
        return int(value)
    if isinstance(value, (dbus.Double, float)):
        return float(value)
    if isinstance(value, (dbus.String, dbus.ObjectPath, str)):
        return str(value)
    if isinstance(value, (dbus.Dictionary, dict)):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (dbus.Array, dbus.Struct, list, tuple)):
        return [plain(v) for v in value]
    return repr(value)


def serve(bus_name, make_object, log_file, label):
    """Exports `make_object(bus, log)`, owns `bus_name`, and runs until SIGTERM or SIGINT."""
    DBusGMainLoop(set_as_default=True)
    bus = dbus.SessionBus()
    log = open(log_file, "a", encoding="utf-8")
    service = make_object(bus, log)
    # Owned only after the object is exported, so a client that sees the name finds the object.
    name = dbus.service.BusName(bus_name, bus, do_not_queue=True)
    loop = GLib.MainLoop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, sig, loop.quit)
    print(f"{label}: serving", bus_name, flush=True)
    loop.run()
    del name, service
    log.close()
