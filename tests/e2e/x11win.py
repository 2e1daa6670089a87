#!/usr/bin/python3
"""What a window manager does to the app's top-level windows, for the end-to-end tests on Xvfb
(where no window manager runs). Talks to the X server through libX11 (ctypes; nothing to install).

  x11win.py state TITLE   prints "viewable", "unmapped" or "none" (no top-level window so named)
  x11win.py close TITLE   asks the window to close as a title bar's close button does: a
                          WM_PROTOCOLS client message with WM_DELETE_WINDOW (ICCCM 4.2.8.1)
"""

import ctypes
import ctypes.util
import sys

Window = ctypes.c_ulong
Atom = ctypes.c_ulong

IS_UNMAPPED, IS_UNVIEWABLE, IS_VIEWABLE = 0, 1, 2
CLIENT_MESSAGE = 33
NO_EVENT_MASK = 0


class XWindowAttributes(ctypes.Structure):
    _fields_ = [
        ("x", ctypes.c_int), ("y", ctypes.c_int), ("width", ctypes.c_int), ("height", ctypes.c_int),
        ("border_width", ctypes.c_int), ("depth", ctypes.c_int), ("visual", ctypes.c_void_p),
        ("root", Window), ("class_", ctypes.c_int), ("bit_gravity", ctypes.c_int),
        ("win_gravity", ctypes.c_int), ("backing_store", ctypes.c_int),
        ("backing_planes", ctypes.c_ulong), ("backing_pixel", ctypes.c_ulong),
        ("save_under", ctypes.c_int), ("colormap", ctypes.c_ulong),
        ("map_installed", ctypes.c_int), ("map_state", ctypes.c_int),
        ("all_event_masks", ctypes.c_long), ("your_event_mask", ctypes.c_long),
        ("do_not_propagate_mask", ctypes.c_long), ("override_redirect", ctypes.c_int),
        ("screen", ctypes.c_void_p),
    ]


class XClientMessageEvent(ctypes.Structure):
    _fields_ = [
        ("type", ctypes.c_int), ("serial", ctypes.c_ulong), ("send_event", ctypes.c_int),
        ("display", ctypes.c_void_p), ("window", Window), ("message_type", Atom),
        ("format", ctypes.c_int), ("data", ctypes.c_long * 5),
    ]


class XEvent(ctypes.Union):
    _fields_ = [("xclient", XClientMessageEvent), ("pad", ctypes.c_long * 24)]


def load():
    x = ctypes.CDLL(ctypes.util.find_library("X11") or "libX11.so.6")
    x.XOpenDisplay.restype = ctypes.c_void_p
    x.XOpenDisplay.argtypes = [ctypes.c_char_p]
    x.XDefaultRootWindow.restype = Window
    x.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
    x.XQueryTree.argtypes = [
        ctypes.c_void_p, Window, ctypes.POINTER(Window), ctypes.POINTER(Window),
        ctypes.POINTER(ctypes.POINTER(Window)), ctypes.POINTER(ctypes.c_uint),
    ]
    x.XFetchName.argtypes = [ctypes.c_void_p, Window, ctypes.POINTER(ctypes.c_char_p)]
    x.XGetWindowAttributes.argtypes = [ctypes.c_void_p, Window, ctypes.POINTER(XWindowAttributes)]
    x.XInternAtom.restype = Atom
    x.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
    x.XSendEvent.argtypes = [ctypes.c_void_p, Window, ctypes.c_int, ctypes.c_long, ctypes.POINTER(XEvent)]
    x.XFlush.argtypes = [ctypes.c_void_p]
    x.XFree.argtypes = [ctypes.c_void_p]
    x.XCloseDisplay.argtypes = [ctypes.c_void_p]
    return x


def toplevels(x, display, title):
    """The root's children named `title`, with their map state."""
    root = x.XDefaultRootWindow(display)
    root_ret, parent = Window(), Window()
    children = ctypes.POINTER(Window)()
    count = ctypes.c_uint()
    if not x.XQueryTree(display, root, ctypes.byref(root_ret), ctypes.byref(parent), ctypes.byref(children), ctypes.byref(count)):
        sys.exit("x11win: XQueryTree failed")
    found = []
    for i in range(count.value):
        window = children[i]
        name = ctypes.c_char_p()
        if x.XFetchName(display, window, ctypes.byref(name)) and name.value is not None:
            named = name.value.decode("utf-8", "replace")
            x.XFree(name)
            if named == title:
                attrs = XWindowAttributes()
                x.XGetWindowAttributes(display, window, ctypes.byref(attrs))
                found.append((window, attrs.map_state))
    if children:
        x.XFree(children)
    return found


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("state", "close"):
        sys.exit(__doc__)
    x = load()
    display = x.XOpenDisplay(None)
    if not display:
        sys.exit("x11win: cannot open the display")
    windows = toplevels(x, display, sys.argv[2])
    if sys.argv[1] == "state":
        states = [s for _w, s in windows]
        if not states:
            print("none")
        elif IS_VIEWABLE in states:
            print("viewable")
        else:
            print("unmapped")
    else:
        if len(windows) != 1:
            sys.exit(f"x11win: {len(windows)} top-level windows titled {sys.argv[2]!r}")
        window = windows[0][0]
        event = XEvent()
        event.xclient.type = CLIENT_MESSAGE
        event.xclient.window = window
        event.xclient.message_type = x.XInternAtom(display, b"WM_PROTOCOLS", 0)
        event.xclient.format = 32
        event.xclient.data[0] = x.XInternAtom(display, b"WM_DELETE_WINDOW", 0)
        event.xclient.data[1] = 0  # CurrentTime
        if not x.XSendEvent(display, window, 0, NO_EVENT_MASK, ctypes.byref(event)):
            sys.exit("x11win: XSendEvent failed")
        x.XFlush(display)
        print(f"sent WM_DELETE_WINDOW to 0x{window:x}")
    x.XCloseDisplay(display)


if __name__ == "__main__":
    main()
