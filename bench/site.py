#!/usr/bin/env python3
"""A site as small as a demo CMS front: answers / with its pid and /health with ok.
Used by the benchmarks only, to compare with numbers measured on Python sites elsewhere.

Usage: site.py PORT [STOP_SECONDS]. On SIGTERM or SIGINT (PM2's stop signal) it takes
STOP_SECONDS (default 0) to stop, as a site finishing its requests would, then exits 0."""
import os
import signal
import sys
import time
from http.server import BaseHTTPRequestHandler, HTTPServer


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
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
