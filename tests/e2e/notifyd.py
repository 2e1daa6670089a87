#!/usr/bin/python3
"""A notification server for the end-to-end tests (org.freedesktop.Notifications, Desktop
Notifications Specification 1.2) on the session bus.

It records every Notify and CloseNotification call as one JSON object per line in the log file,
and lets the test "press" an action: the extra method org.ringer.E2E.InvokeAction(id, action)
emits ActionInvoked(id, action) and then NotificationClosed(id, 2), as a desktop does when the
user clicks a button of a notification. Nothing is shown.

Usage: notifyd.py LOG_FILE   (runs until SIGTERM or SIGINT)
"""

import json
import sys
import time

import dbus
import dbus.service

from dbus_service import plain, serve

BUS_NAME = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"
IFACE = "org.freedesktop.Notifications"
TEST_IFACE = "org.ringer.E2E"

# NotificationClosed reasons of the specification.
CLOSED_DISMISSED = 2
CLOSED_BY_CALL = 3


class Server(dbus.service.Object):
    def __init__(self, bus, log):
        super().__init__(bus, PATH)
        self.log = log
        self.next_id = 1
        self.open = {}

    def record(self, entry):
        entry["at"] = int(time.time() * 1000)
        self.log.write(json.dumps(entry) + "\n")
        self.log.flush()

    @dbus.service.method(IFACE, in_signature="", out_signature="as")
    def GetCapabilities(self):
        return ["actions", "body", "sound"]

    @dbus.service.method(IFACE, in_signature="", out_signature="ssss")
    def GetServerInformation(self):
        return ("ringer-e2e-notifyd", "ringer", "1.0", "1.2")

    @dbus.service.method(IFACE, in_signature="susssasa{sv}i", out_signature="u")
    def Notify(self, app_name, replaces_id, app_icon, summary, body, actions, hints, timeout):
        if replaces_id and int(replaces_id) in self.open:
            nid = int(replaces_id)
        else:
            nid = self.next_id
            self.next_id += 1
        pairs = [list(map(str, actions[i : i + 2])) for i in range(0, len(actions) - 1, 2)]
        self.open[nid] = pairs
        self.record(
            {
                "method": "Notify",
                "id": nid,
                "app_name": str(app_name),
                "replaces_id": int(replaces_id),
                "summary": str(summary),
                "body": str(body),
                "actions": pairs,
                "hints": plain(hints),
                "expire_timeout": int(timeout),
            }
        )
        return dbus.UInt32(nid)

    @dbus.service.method(IFACE, in_signature="u", out_signature="")
    def CloseNotification(self, nid):
        nid = int(nid)
        was_open = self.open.pop(nid, None) is not None
        self.record({"method": "CloseNotification", "id": nid, "was_open": was_open})
        if was_open:
            self.NotificationClosed(dbus.UInt32(nid), dbus.UInt32(CLOSED_BY_CALL))

    @dbus.service.signal(IFACE, signature="uu")
    def NotificationClosed(self, nid, reason):
        pass

    @dbus.service.signal(IFACE, signature="us")
    def ActionInvoked(self, nid, action):
        pass

    @dbus.service.method(TEST_IFACE, in_signature="us", out_signature="b")
    def InvokeAction(self, nid, action):
        """Presses `action` on an open notification; false when it is not open or lacks it."""
        nid = int(nid)
        action = str(action)
        offered = [key for key, _label in self.open.get(nid, [])]
        ok = action in offered
        self.record({"method": "InvokeAction", "id": nid, "action": action, "ok": ok})
        if ok:
            self.ActionInvoked(dbus.UInt32(nid), action)
            del self.open[nid]
            self.NotificationClosed(dbus.UInt32(nid), dbus.UInt32(CLOSED_DISMISSED))
        return ok


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: notifyd.py LOG_FILE")
    serve(BUS_NAME, Server, sys.argv[1], "notifyd")

if __name__ == "__main__":
    main()
