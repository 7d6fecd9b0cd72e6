#!/usr/bin/env python3
"""A site as small as a demo CMS front: answers / with its pid and /health with ok.
Used by the benchmarks only, to compare with numbers measured on Python sites elsewhere.

/grow?mb=N (for bench/memory.py) makes it hold N MB more for the rest of its life, every page
written, so that they are resident: it answers once they are, with its pid and its resident size.

Usage: site.py PORT [STOP_SECONDS]. On SIGTERM or SIGINT (PM2's stop signal) it takes
STOP_SECONDS (default 0) to stop, as a site finishing its requests would, then exits 0."""
import os
import signal
import sys
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs, urlsplit

PAGE = 4096
held = []  # what /grow was asked to hold, kept until the process ends


def grow(megabytes):
    block = bytearray(megabytes << 20)  # zeroed pages the kernel has only promised
    block[::PAGE] = b"\1" * len(range(0, len(block), PAGE))  # one write to each makes it resident
    held.append(block)


def resident_mb():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        url = urlsplit(self.path)
        if url.path == "/grow":
            grow(int(parse_qs(url.query).get("mb", ["100"])[0]))
            body = f"grew: pid {os.getpid()}, resident {resident_mb():.0f} MB\n".encode()
        else:
            body = (b"ok\n" if self.path == "/health" else f"{os.getpid()}\n".encode())
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


stop_seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 0.0


def stop(signum, frame):
    time.sleep(stop_seconds)
    os._exit(0)


signal.signal(signal.SIGTERM, stop)
signal.signal(signal.SIGINT, stop)
HTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
