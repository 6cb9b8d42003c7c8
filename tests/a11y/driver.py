#!/usr/bin/python3
"""Drives the real async-jobs window through AT-SPI alone, as a screen reader or an automation
tool (KDE's selenium-webdriver-at-spi) would: the window's accessible tree, its actions, its
editable texts.

`/usr/bin/python3 tests/a11y/driver.py --own-x APP [ARGS]` (what tests/accessibility.rs runs)
starts a private Xvfb and a private D-Bus session (dbus-run-session) and runs the driver in
them; without --own-x it runs in the X server and D-Bus session it is given. It starts the
accessibility bus (at-spi-bus-launcher) and the app with Qt's accessibility on, then answers
one JSON request per line on stdin with one JSON line on stdout:

  {"cmd": "tree"}                                  every node: path, role, name, description,
                                                   states, actions, value, text
  {"cmd": "act", "role": R, "name": N, "action": A}   invokes action A of the first showing
                                                   node with that role and name (exact; or
                                                   "name_prefix")
  {"cmd": "set_text", "role": R, "name": N, "text": T} replaces an editable text's contents
  {"cmd": "pid"}                                   the app's process id
  {"cmd": "key", "keys": ["ctrl+q"]}               real key presses to the focused window
                                                   (xdotool), e.g. the quit shortcut
  {"cmd": "wait_exit", "timeout": S}               waits for the app to end: its exit status
  {"cmd": "quit"}                                  ends the app (SIGTERM) and the driver

Uses Debian's python3-pyatspi: run it with /usr/bin/python3 (another python on the PATH may
lack the module).
"""

import json
import os
import signal
import subprocess
import sys
import time

import pyatspi

APP_NAME = "async-jobs"


def log(*args):
    print("driver:", *args, file=sys.stderr, flush=True)


def start_bus():
    """The accessibility bus of this D-Bus session (and its registry daemon)."""
    launcher = subprocess.Popen(
        ["/usr/libexec/at-spi-bus-launcher", "--launch-immediately"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    # The launcher owns org.a11y.Bus on the session bus once it is up (asked without
    # activating it: D-Bus would start a second launcher).
    deadline = time.time() + 20
    while time.time() < deadline:
        probe = subprocess.run(
            [
                "dbus-send", "--session", "--print-reply", "--dest=org.freedesktop.DBus",
                "/org/freedesktop/DBus", "org.freedesktop.DBus.NameHasOwner",
                "string:org.a11y.Bus",
            ],
            capture_output=True,
            text=True,
        )
        if probe.returncode == 0 and "true" in probe.stdout:
            return launcher
        if launcher.poll() is not None:
            raise SystemExit("driver: at-spi-bus-launcher ended: %s" % launcher.returncode)
        time.sleep(0.1)
    raise SystemExit("driver: the accessibility bus did not start")


def find_app(pid, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        desktop = pyatspi.Registry.getDesktop(0)
        for i in range(desktop.childCount):
            try:
                app = desktop.getChildAtIndex(i)
                if app is not None and app.get_process_id() == pid:
                    if app.childCount > 0:
                        return app
            except Exception:  # an app that went away meanwhile
                continue
        time.sleep(0.2)
    raise SystemExit("driver: the app did not appear on the accessibility bus")


STATE_NAMES = {
    pyatspi.STATE_SHOWING: "showing",
    pyatspi.STATE_VISIBLE: "visible",
    pyatspi.STATE_FOCUSABLE: "focusable",
    pyatspi.STATE_FOCUSED: "focused",
    pyatspi.STATE_ENABLED: "enabled",
    pyatspi.STATE_SENSITIVE: "sensitive",
    pyatspi.STATE_SELECTED: "selected",
    pyatspi.STATE_SELECTABLE: "selectable",
    pyatspi.STATE_CHECKED: "checked",
    pyatspi.STATE_CHECKABLE: "checkable",
    pyatspi.STATE_EDITABLE: "editable",
    pyatspi.STATE_READ_ONLY: "read-only",
    pyatspi.STATE_BUSY: "busy",
}


def describe(node, path):
    info = {"path": path, "role": node.getRoleName(), "name": node.name or "",
            "description": node.description or ""}
    states = node.getState()
    info["states"] = [n for s, n in STATE_NAMES.items() if states.contains(s)]
    try:
        act = node.queryAction()
        info["actions"] = [act.getName(i) for i in range(act.nActions)]
    except NotImplementedError:
        info["actions"] = []
    try:
        value = node.queryValue()
        info["value"] = value.currentValue
        info["min"] = value.minimumValue
        info["max"] = value.maximumValue
    except NotImplementedError:
        pass
    try:
        text = node.queryText()
        info["text"] = text.getText(0, -1)
    except NotImplementedError:
        pass
    return info


def walk(node, path, out, depth=0):
    if node is None or depth > 60:
        return
    try:
        out.append(describe(node, path))
        count = node.childCount
    except Exception as e:  # a node that went away while walking
        log("skipped", path, e)
        return
    for i in range(count):
        try:
            child = node.getChildAtIndex(i)
        except Exception:
            continue
        walk(child, path + [i], out, depth + 1)


def tree(app):
    out = []
    walk(app, [], out)
    return out


def matches(info, req):
    if req.get("role") and info["role"] != req["role"]:
        return False
    if "name" in req and info["name"] != req["name"]:
        return False
    if "name_prefix" in req and not info["name"].startswith(req["name_prefix"]):
        return False
    return "showing" in info["states"]


def node_at(app, path):
    node = app
    for i in path:
        node = node.getChildAtIndex(i)
    return node


def find(app, req):
    for info in tree(app):
        if matches(info, req):
            return node_at(app, info["path"]), info
    return None, None


def handle(app, proc, req):
    cmd = req.get("cmd")
    if cmd == "tree":
        return {"ok": True, "nodes": tree(app)}
    if cmd == "pid":
        return {"ok": True, "pid": proc.pid}
    if cmd == "key":
        # No window manager under Xvfb: give the app's window the keyboard focus first.
        found = subprocess.run(
            ["xdotool", "search", "--pid", str(proc.pid), "--onlyvisible", "--class", ""],
            capture_output=True, text=True,
        )
        windows = found.stdout.split()
        if not windows:
            return {"ok": False, "error": "no window of the app: %s" % found.stderr}
        subprocess.run(["xdotool", "mousemove", "--window", windows[-1], "20", "20"])
        subprocess.run(["xdotool", "windowfocus", windows[-1]])
        done = subprocess.run(["xdotool", "key", "--delay", "50"] + req["keys"])
        return {"ok": done.returncode == 0}
    if cmd == "wait_exit":
        try:
            return {"ok": True, "exit": proc.wait(req.get("timeout", 10))}
        except subprocess.TimeoutExpired:
            return {"ok": False, "error": "still running after %ss" % req.get("timeout", 10)}
    if cmd == "act":
        node, info = find(app, req)
        if node is None:
            return {"ok": False, "error": "no showing node like %s" % json.dumps(req)}
        act = node.queryAction()
        names = [act.getName(i) for i in range(act.nActions)]
        if req["action"] not in names:
            return {"ok": False, "error": "%s has actions %s" % (info["name"], names)}
        done = act.doAction(names.index(req["action"]))
        return {"ok": bool(done), "node": info}
    if cmd == "set_text":
        node, info = find(app, req)
        if node is None:
            return {"ok": False, "error": "no showing node like %s" % json.dumps(req)}
        try:
            done = node.queryEditableText().setTextContents(req["text"])
            return {"ok": bool(done), "node": info}
        except NotImplementedError:
            pass
        # Qt Quick's text fields (Qt 6.4) offer no EditableText: focus the field through its
        # SetFocus action, then type as a person does (real key events), and read it back.
        act = node.queryAction()
        names = [act.getName(i) for i in range(act.nActions)]
        if "SetFocus" not in names:
            return {"ok": False, "error": "%s can neither be edited nor focused" % info["name"]}
        act.doAction(names.index("SetFocus"))
        time.sleep(0.2)
        subprocess.run(["xdotool", "key", "ctrl+a", "BackSpace"])
        if req["text"]:
            subprocess.run(["xdotool", "type", "--delay", "5", "--", req["text"]])
        deadline = time.time() + 10
        while time.time() < deadline:
            got = node.queryText().getText(0, -1)
            if got == req["text"]:
                return {"ok": True, "node": info}
            time.sleep(0.1)
        return {"ok": False, "error": "typed %r, the field reads %r" % (req["text"], got)}
    return {"ok": False, "error": "unknown command %s" % cmd}


def wait_for_display():
    """The X server answers (a stale socket of an earlier server does not)."""
    deadline = time.time() + 20
    while time.time() < deadline:
        probe = subprocess.run(["xdotool", "getdisplaygeometry"], capture_output=True)
        if probe.returncode == 0:
            return
        time.sleep(0.1)
    raise SystemExit("driver: the X server on %s does not answer" % os.environ.get("DISPLAY"))


def main():
    wait_for_display()
    launcher = start_bus()
    env = dict(os.environ, QT_LINUX_ACCESSIBILITY_ALWAYS_ON="1", QT_ACCESSIBILITY="1")
    proc = subprocess.Popen(sys.argv[1:], env=env, stdin=subprocess.DEVNULL, stdout=sys.stderr)
    try:
        app = find_app(proc.pid)
        print(json.dumps({"ok": True, "ready": True, "pid": proc.pid}), flush=True)
        for line in sys.stdin:
            line = line.strip()
            if not line:
                continue
            req = json.loads(line)
            if req.get("cmd") == "quit":
                break
            try:
                reply = handle(app, proc, req)
            except Exception as e:  # reported to the test, which fails with it
                reply = {"ok": False, "error": "%s: %s" % (type(e).__name__, e)}
            print(json.dumps(reply), flush=True)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        launcher.terminate()
        try:
            launcher.wait(5)
        except subprocess.TimeoutExpired:
            launcher.kill()
        print(json.dumps({"ok": True, "exit": proc.returncode}), flush=True)


def with_own_x_and_bus(argv):
    """Starts a private Xvfb (its display number chosen by the server itself: -displayfd, so
    two tests or two users never pick the same one) and a private runtime folder, and runs
    this driver again inside a private D-Bus session (dbus-run-session). Ends the X server
    afterwards."""
    import shutil
    import tempfile

    runtime = tempfile.mkdtemp(prefix="async-jobs-a11y-xdg-")
    os.chmod(runtime, 0o700)
    read_fd, write_fd = os.pipe()
    xvfb = subprocess.Popen(
        # -noreset: without it the server resets whenever its last client leaves (the probe
        # below), and refuses connections meanwhile.
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", "1280x800x24", "-nolisten", "tcp",
         "-noreset"],
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=open(os.path.join(runtime, "xvfb.log"), "wb"),
    )
    os.close(write_fd)
    try:
        number = b""
        with os.fdopen(read_fd, "rb") as pipe:
            number = pipe.readline().strip()
        if not number:
            raise SystemExit("driver: Xvfb did not start")
        env = dict(os.environ, DISPLAY=":" + number.decode(), XDG_RUNTIME_DIR=runtime)
        for key in ("DBUS_SESSION_BUS_ADDRESS", "AT_SPI_BUS_ADDRESS", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"):
            env.pop(key, None)
        log("Xvfb on", env["DISPLAY"])
        done = subprocess.run(
            ["dbus-run-session", "--", sys.executable, os.path.abspath(__file__)] + argv, env=env
        )
        if done.returncode != 0 or xvfb.poll() is not None:
            with open(os.path.join(runtime, "xvfb.log"), errors="replace") as xlog:
                log("Xvfb (%s) said:" % xvfb.poll(), xlog.read()[-2000:])
        return done.returncode
    finally:
        xvfb.terminate()
        try:
            xvfb.wait(10)
        except subprocess.TimeoutExpired:
            xvfb.kill()
            xvfb.wait()
        shutil.rmtree(runtime, ignore_errors=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--own-x"]:
        sys.exit(with_own_x_and_bus(sys.argv[2:]))
    main()
