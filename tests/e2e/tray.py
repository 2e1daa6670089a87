#!/usr/bin/python3
"""The tray side of the end-to-end tests, on the session bus.

`tray.py serve LOG_FILE` is the session's org.kde.StatusNotifierWatcher (the StatusNotifierItem
specification, as KDE and the GNOME AppIndicator extension provide it): it says a host is
registered, so libayatana-appindicator exports the app's tray item and registers it here instead
of falling back to an XEmbed icon nobody shows. Every registration, and every item whose owner
leaves the bus, is recorded as one JSON object per line in the log file. Runs until SIGTERM.

The other commands act as the desktop's tray (the host) does, on the newest registered item, and
print JSON:
  tray.py item            the item's properties and its menu (com.canonical.dbusmenu GetLayout)
  tray.py click LABEL     sends the menu entry labelled LABEL a "clicked" event, as a user's click
"""

import json
import sys
import time

import dbus
import dbus.service

from dbus_service import plain, serve

WATCHER_NAME = "org.kde.StatusNotifierWatcher"
WATCHER_PATH = "/StatusNotifierWatcher"
WATCHER_IFACE = "org.kde.StatusNotifierWatcher"
ITEM_IFACE = "org.kde.StatusNotifierItem"
MENU_IFACE = "com.canonical.dbusmenu"
PROPS_IFACE = "org.freedesktop.DBus.Properties"


class Watcher(dbus.service.Object):
    def __init__(self, bus, log):
        super().__init__(bus, WATCHER_PATH)
        self.bus = bus
        self.log = log
        # "bus-name/object/path" of each registered item, oldest first.
        self.items = []
        bus.add_signal_receiver(
            self.owner_changed,
            signal_name="NameOwnerChanged",
            dbus_interface="org.freedesktop.DBus",
            path="/org/freedesktop/DBus",
        )

    def record(self, entry):
        entry["at"] = int(time.time() * 1000)
        self.log.write(json.dumps(entry) + "\n")
        self.log.flush()

    @dbus.service.method(WATCHER_IFACE, in_signature="s", out_signature="", sender_keyword="sender")
    def RegisterStatusNotifierItem(self, service, sender=None):
        service = str(service)
        # libayatana-appindicator passes its object path; others pass a bus name.
        if service.startswith("/"):
            name, path = str(sender), service
        else:
            name, path = service, "/StatusNotifierItem"
        item = f"{name}{path}"
        if item not in self.items:
            self.items.append(item)
        self.record({"method": "RegisterStatusNotifierItem", "service": service, "sender": str(sender), "item": item})
        self.StatusNotifierItemRegistered(item)

    @dbus.service.method(WATCHER_IFACE, in_signature="s", out_signature="")
    def RegisterStatusNotifierHost(self, service):
        pass

    @dbus.service.signal(WATCHER_IFACE, signature="s")
    def StatusNotifierItemRegistered(self, item):
        pass

    @dbus.service.signal(WATCHER_IFACE, signature="s")
    def StatusNotifierItemUnregistered(self, item):
        pass

    @dbus.service.signal(WATCHER_IFACE, signature="")
    def StatusNotifierHostRegistered(self):
        pass

    def owner_changed(self, name, old, new):
        if new or not old:
            return
        for item in [i for i in self.items if i.split("/", 1)[0] in (str(name), str(old))]:
            self.items.remove(item)
            self.record({"method": "Unregistered", "item": item})
            self.StatusNotifierItemUnregistered(item)

    def properties(self):
        return {
            "RegisteredStatusNotifierItems": dbus.Array(self.items, signature="s"),
            "IsStatusNotifierHostRegistered": dbus.Boolean(True),
            "ProtocolVersion": dbus.Int32(0),
        }

    @dbus.service.method(PROPS_IFACE, in_signature="ss", out_signature="v")
    def Get(self, interface, prop):
        props = self.properties()
        if interface != WATCHER_IFACE or prop not in props:
            raise dbus.exceptions.DBusException(
                f"no property {interface}.{prop}", name="org.freedesktop.DBus.Error.UnknownProperty"
            )
        return props[prop]

    @dbus.service.method(PROPS_IFACE, in_signature="s", out_signature="a{sv}")
    def GetAll(self, interface):
        return self.properties() if interface == WATCHER_IFACE else {}


def serve_watcher(log_file):
    serve(WATCHER_NAME, Watcher, log_file, "tray")

def newest_item(bus):
    watcher = bus.get_object(WATCHER_NAME, WATCHER_PATH)
    items = watcher.Get(WATCHER_IFACE, "RegisteredStatusNotifierItems", dbus_interface=PROPS_IFACE)
    if not items:
        sys.exit("tray: no item is registered")
    name, path = str(items[-1]).split("/", 1)
    return name, "/" + path


def entries(layout):
    """The menu's entries, depth first, as {id, label, type, toggle-type, toggle-state, enabled, visible}."""
    found = []
    for child in layout[2]:
        child_id, props, _children = child
        props = plain(props)
        found.append(
            {
                "id": int(child_id),
                "label": props.get("label", ""),
                "type": props.get("type", "standard"),
                "toggle-type": props.get("toggle-type", ""),
                "toggle-state": props.get("toggle-state", -1),
                "enabled": props.get("enabled", True),
                "visible": props.get("visible", True),
            }
        )
        found.extend(entries(child))
    return found


def menu_of(bus, name, path):
    item = bus.get_object(name, path)
    props = plain(item.GetAll(ITEM_IFACE, dbus_interface=PROPS_IFACE))
    menu = bus.get_object(name, props["Menu"])
    _revision, layout = menu.GetLayout(0, -1, dbus.Array([], signature="s"), dbus_interface=MENU_IFACE)
    return props, menu, entries(layout)


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "serve":
        serve_watcher(sys.argv[2])
        return
    bus = dbus.SessionBus()
    if sys.argv[1:] == ["item"]:
        name, path = newest_item(bus)
        props, _menu, found = menu_of(bus, name, path)
        print(json.dumps({"bus_name": name, "path": path, "properties": props, "menu": found}))
    elif len(sys.argv) == 3 and sys.argv[1] == "click":
        name, path = newest_item(bus)
        _props, menu, found = menu_of(bus, name, path)
        matching = [e for e in found if e["label"] == sys.argv[2] and e["type"] == "standard"]
        if len(matching) != 1:
            sys.exit(f"tray: {len(matching)} menu entries labelled {sys.argv[2]!r}: {json.dumps(found)}")
        entry = matching[0]
        menu.Event(
            dbus.Int32(entry["id"]), "clicked", dbus.Int32(0, variant_level=1), dbus.UInt32(int(time.time())),
            dbus_interface=MENU_IFACE,
        )
        print(json.dumps(entry))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
