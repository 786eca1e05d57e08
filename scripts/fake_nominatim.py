#!/usr/bin/env python3
"""A stand-in for Nominatim on 127.0.0.1 for the fuzzing pass: answers every /search with the
recorded real response in fixtures/nominatim/. Usage: fake_nominatim.py PORT FIXTURE_DIR"""
import http.server
import pathlib
import sys

port, fixtures = int(sys.argv[1]), pathlib.Path(sys.argv[2])
BODY = (fixtures / "search_san_martin_santa_fe.json").read_bytes()


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        status, body = (200, BODY) if self.path.startswith("/search") else (404, b"[]")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
