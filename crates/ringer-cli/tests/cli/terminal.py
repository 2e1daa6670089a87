"""Runs a command with a pseudo-terminal as its stdin and stderr, types keys at its prompt.

Usage: terminal.py PROMPT KEYS LATER COMMAND...

The command's stdin and stderr are the terminal (which is also its controlling terminal); its
stdout is a pipe. Once PROMPT has appeared on the terminal and the terminal's ECHO flag is off,
KEYS are written as if typed; then, once the terminal's local modes are back to what they were
before the command started, LATER (when not empty). Prints one JSON object: the exit status, everything the terminal
showed, stdout, whether echo was seen off, and whether the terminal's local modes at the end are
those it had before the command started.
"""

import fcntl
import json
import os
import select
import subprocess
import sys
import termios
import time

# Guards against a hung command, not timing assertions.
PATIENCE = 60.0
ECHO_PATIENCE = 10.0


def main():
    prompt, keys, later = (arg.encode() for arg in sys.argv[1:4])
    command = sys.argv[4:]
    master, slave = os.openpty()
    before = termios.tcgetattr(slave)

    def controlling_terminal():
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    child = subprocess.Popen(
        command,
        stdin=slave,
        stdout=subprocess.PIPE,
        stderr=slave,
        start_new_session=True,
        preexec_fn=controlling_terminal,
    )
    # `slave` stays open so that the terminal's modes can be read after the command has ended.
    shown = b""
    sent = False
    echo_off_seen = False
    deadline = time.monotonic() + PATIENCE
    while time.monotonic() < deadline:
        if not sent and prompt in shown:
            echo_off_seen = wait_for_echo_off(master)
            os.write(master, keys)
            sent = True
            if later and wait_for_modes(master, before[3]):
                os.write(master, later)
        ready, _, _ = select.select([master], [], [], 0.05)
        if ready:
            shown += os.read(master, 4096)
        elif child.poll() is not None:
            # Nothing left to show and the command has ended.
            break
    else:
        child.kill()
    status = child.wait()
    after = termios.tcgetattr(slave)
    stdout = child.stdout.read()
    json.dump(
        {
            "status": status,
            "terminal": shown.decode("utf-8", "replace"),
            "stdout": stdout.decode("utf-8", "replace"),
            "typed": sent,
            "echo_off_seen": echo_off_seen,
            "modes_restored": after[3] == before[3],
        },
        sys.stdout,
    )


def wait_for_echo_off(master):
    """Whether the terminal's ECHO flag went off."""
    return wait_for(lambda: not termios.tcgetattr(master)[3] & termios.ECHO)


def wait_for_modes(master, local_modes):
    """Whether the terminal's local modes became `local_modes`."""
    return wait_for(lambda: termios.tcgetattr(master)[3] == local_modes)


def wait_for(condition):
    """Polls `condition` (no event tells of a terminal mode change) until true or patience ends."""
    deadline = time.monotonic() + ECHO_PATIENCE
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.001)
    return False


if __name__ == "__main__":
    main()
