#!/usr/bin/env python3
"""A site as small as a demo CMS front: answers / with its pid and /health with ok.
Used by the benchmarks only, to compare with numbers measured on Python sites elsewhere."""
import os
import sys
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


HTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
