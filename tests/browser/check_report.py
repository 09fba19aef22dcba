#!/usr/bin/env python3
"""Loads a blindmatch HTML report in headless Chromium and checks it, as a reader would see it.

The page is meant to be mailed around and opened offline, so this opens it from disk with
networking off (a network namespace of its own when `unshare` works, an offline network
emulation and an unresolvable DNS in any case) and checks, over the DevTools protocol:

- the page asked for nothing but itself (no request other than its own file:// URL);
- nothing was logged as an error (console, exceptions, CSP violations, failed loads);
- the UpSet plot and the district bars are there, with bars and dots in them, and the
  table sorting script runs;
- a screenshot is not blank.

Standard library only: Chromium speaks the protocol over a pair of pipes
(--remote-debugging-pipe: JSON messages ended by a NUL byte on file descriptors 3 and 4), so
no WebSocket client is needed.

    check_report.py REPORT.html [--screenshot OUT.png] [--width 1100] [--height 1400]

Prints one JSON line of what it found; exits 1 with the reason when a check fails, 2 when
Chromium cannot be started.
"""

import argparse
import base64
import fcntl
import json
import os
import select
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zlib

FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-extensions",
    "--disable-sync",
    "--disable-component-update",
    "--disable-default-apps",
    "--hide-scrollbars",
    "--mute-audio",
    # No name resolves and every connection goes to a closed port: nothing can leave.
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--proxy-server=http://127.0.0.1:9",
    "--remote-debugging-pipe",
]


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def no_network_prefix():
    """`unshare --net` when it works (root, or user namespaces): no interface but loopback."""
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "--net", "true"], capture_output=True).returncode == 0:
        return [unshare, "--net"]
    return []


def high(fd):
    """The same pipe end on a descriptor numbered 10 or more (close-on-exec)."""
    moved = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(fd)
    return moved


class Browser:
    def __init__(self, width, height):
        self.profile = tempfile.mkdtemp(prefix="blindmatch-chromium-")
        # Chromium's ends are moved above 10 so that putting them on 3 and 4 clobbers
        # nothing; dup2 leaves its copies inheritable.
        to_chrome_r, self.to_chrome = (high(fd) for fd in os.pipe())
        self.from_chrome, from_chrome_w = (high(fd) for fd in os.pipe())

        def wire_pipes():
            os.dup2(to_chrome_r, 3)
            os.dup2(from_chrome_w, 4)

        cmd = no_network_prefix() + [
            chromium(),
            *FLAGS,
            f"--user-data-dir={self.profile}",
            f"--window-size={width},{height}",
            "about:blank",
        ]
        self.namespaced = cmd[0] != chromium()
        self.proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=wire_pipes,
            close_fds=False,
        )
        os.close(to_chrome_r)
        os.close(from_chrome_w)
        self.buffer = b""
        self.next_id = 0
        self.events = []

    def send(self, method, params=None, session=None):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.to_chrome, json.dumps(message).encode() + b"\0")
        return self.wait_for(lambda m: m.get("id") == self.next_id, f"the answer to {method}")

    def read(self, timeout):
        """The next message, or None after `timeout` seconds."""
        while b"\0" not in self.buffer:
            ready, _, _ = select.select([self.from_chrome], [], [], timeout)
            if not ready:
                return None
            chunk = os.read(self.from_chrome, 1 << 20)
            if not chunk:
                raise SystemExit("Chromium closed the DevTools pipe")
            self.buffer += chunk
        raw, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(raw)

    def wait_for(self, match, what, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            message = self.read(max(0.0, deadline - time.monotonic()))
            if message is None:
                break
            if "method" in message:
                self.events.append(message)
            if match(message):
                if "error" in message:
                    raise SystemExit(f"{what}: {message['error']}")
                return message.get("result", message.get("params"))
        raise SystemExit(f"timed out waiting for {what}")

    def drain(self, seconds):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            message = self.read(max(0.0, deadline - time.monotonic()))
            if message is None:
                break
            if "method" in message:
                self.events.append(message)

    def close(self):
        try:
            os.write(self.to_chrome, json.dumps({"id": 0, "method": "Browser.close"}).encode() + b"\0")
            self.proc.wait(timeout=10)
        except Exception:
            self.proc.kill()
            self.proc.wait()
        shutil.rmtree(self.profile, ignore_errors=True)


def png_pixels(data):
    """(width, height, rows of RGB(A) tuples) of an 8-bit RGB or RGBA PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and colour in (2, 6), f"PNG depth {depth}, colour type {colour}"
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, previous = [], bytearray(stride)
    for y in range(height):
        line = raw[y * (stride + 1) : (y + 1) * (stride + 1)]
        kind, row = line[0], bytearray(line[1:])
        for i in range(stride):
            left = row[i - channels] if i >= channels else 0
            up = previous[i]
            corner = previous[i - channels] if i >= channels else 0
            if kind == 1:
                row[i] = (row[i] + left) & 255
            elif kind == 2:
                row[i] = (row[i] + up) & 255
            elif kind == 3:
                row[i] = (row[i] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                predictor = left if pa <= pb and pa <= pc else (up if pb <= pc else corner)
                row[i] = (row[i] + predictor) & 255
        rows.append([tuple(row[i : i + 3]) for i in range(0, stride, channels)])
        previous = row
    return width, height, rows


CHECK_DOM = r"""
(() => {
  const upset = document.querySelector("svg#upset");
  const districts = Array.from(document.querySelectorAll('svg[id^="districts-"]'));
  const th = document.querySelector("table.sortable thead th:nth-child(2)");
  if (th) { th.click(); th.click(); }
  return {
    title: document.title,
    upset: !!upset,
    upset_bars: upset ? upset.querySelectorAll("rect.bar, rect.hidden").length : 0,
    upset_dots: upset ? upset.querySelectorAll("circle.on").length : 0,
    district_charts: districts.length,
    district_segments: districts.reduce((n, svg) =>
      n + svg.querySelectorAll("rect.t1, rect.t2, rect.t3, rect.hidden").length, 0),
    heatmap: !!document.querySelector("svg#heatmap"),
    funnel: !!document.querySelector("svg#funnel"),
    tables: document.querySelectorAll("table").length,
    sorted: th ? th.className : "",
    scripts_external: document.querySelectorAll("script[src], link[href], img[src]").length,
  };
})()
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("report")
    parser.add_argument("--screenshot")
    parser.add_argument("--width", type=int, default=1100)
    parser.add_argument("--height", type=int, default=1400)
    args = parser.parse_args()
    if not chromium():
        print("chromium is not installed (Debian: apt-get install -y chromium)", file=sys.stderr)
        return 2
    url = "file://" + os.path.abspath(args.report)
    browser = Browser(args.width, args.height)
    failures = []
    try:
        target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        for domain in ("Network", "Runtime", "Log", "Page"):
            browser.send(f"{domain}.enable", session=session)
        browser.send(
            "Network.emulateNetworkConditions",
            {"offline": True, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
            session=session,
        )
        browser.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": args.width, "height": args.height, "deviceScaleFactor": 1, "mobile": False},
            session=session,
        )
        browser.events.clear()
        started = time.monotonic()
        browser.send("Page.navigate", {"url": url}, session=session)
        browser.wait_for(lambda m: m.get("method") == "Page.loadEventFired", "the page to load")
        load_seconds = time.monotonic() - started
        browser.drain(0.5)
        dom = browser.send(
            "Runtime.evaluate",
            {"expression": CHECK_DOM, "returnByValue": True},
            session=session,
        )
        if "exceptionDetails" in dom:
            failures.append(f"the DOM check threw: {dom['exceptionDetails']}")
        found = dom["result"].get("value", {})
        shot = browser.send(
            "Page.captureScreenshot",
            {"format": "png", "clip": {"x": 0, "y": 0, "width": args.width, "height": args.height, "scale": 1}},
            session=session,
        )
        browser.drain(0.3)
    finally:
        browser.close()

    requests = [
        e["params"]["request"]["url"]
        for e in browser.events
        if e["method"] == "Network.requestWillBeSent"
    ]
    foreign = [u for u in requests if u != url]
    if foreign:
        failures.append(f"the page asked for {foreign}")
    errors = []
    for e in browser.events:
        p = e.get("params", {})
        if e["method"] == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert", "warning"):
            errors.append(" ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", [])))
        elif e["method"] == "Runtime.exceptionThrown":
            errors.append(p["exceptionDetails"].get("text", "exception"))
        elif e["method"] == "Log.entryAdded" and p["entry"]["level"] in ("error", "warning"):
            errors.append(p["entry"].get("text", ""))
        elif e["method"] == "Network.loadingFailed":
            errors.append(f"load failed: {p.get('errorText')}")
    if errors:
        failures.append(f"the console logged {errors}")
    if not found.get("upset") or found.get("upset_bars", 0) < 1 or found.get("upset_dots", 0) < 1:
        failures.append(f"no UpSet plot with bars and dots: {found}")
    if found.get("district_charts", 0) < 1 or found.get("district_segments", 0) < 3:
        failures.append(f"no district bars: {found}")
    if found.get("scripts_external"):
        failures.append("the page links to outside resources")
    if found.get("sorted") not in ("up", "down"):
        failures.append(f"the sorting script did not run: {found}")

    png = base64.b64decode(shot["data"])
    width, height, rows = png_pixels(png)
    background = rows[0][0]
    inked = sum(1 for row in rows for px in row if px != background)
    colours = len({px for row in rows[:: max(1, height // 200)] for px in row})
    if inked < width * height // 50 or colours < 8:
        failures.append(f"the screenshot looks blank ({inked} pixels differ from the background, {colours} colours)")
    if args.screenshot:
        with open(args.screenshot, "wb") as f:
            f.write(png)

    print(
        json.dumps(
            {
                "url": url,
                "requests": len(requests),
                "offline_namespace": browser.namespaced,
                "console_errors": len(errors),
                "load_ms": round(load_seconds * 1000),
                "screenshot": {"width": width, "height": height, "inked": inked, "colours": colours},
                **found,
            },
            sort_keys=True,
        )
    )
    if failures:
        for f in failures:
            print(f"FAIL: {f}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
