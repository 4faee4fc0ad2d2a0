"""A stand-in for `python -m vitesse.runtime` with the same command line and HTTP face, stdlib only.

Until the real runtime lands, the deployer end-to-end tests run this (as a file for the process
target, as `python3 -c SOURCE` inside containers). It serves GET /healthz, GET /status (the
integration id, the config's keys, the value of SYNC_LABEL and the *names* of the credentials it
was given), GET /metrics and POST /sync, and logs one line per request.
"""

import argparse
import json
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    with open(args.config) as handle:
        config = json.load(handle)
    status = {
        "integration_id": os.environ.get("VITESSE_INTEGRATION_ID"),
        "config_keys": sorted(config),
        "label": os.environ.get("SYNC_LABEL"),
        "credentials": sorted(n for n in os.environ if n.endswith(("_API_KEY", "_TOKEN"))),
        "uid": os.getuid(),
    }

    class Handler(BaseHTTPRequestHandler):
        def _send(self, code, payload):
            body = json.dumps(payload).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            routes = {"/healthz": {"status": "ok"}, "/status": status, "/metrics": {"synced": 0}}
            self._send(200, routes[self.path]) if self.path in routes else self._send(404, {"error": "not found"})

        def do_POST(self):
            self._send(202, {"accepted": True}) if self.path == "/sync" else self._send(404, {"error": "not found"})

    server = ThreadingHTTPServer((args.host, args.port), Handler)
    print(f"stub runtime for {status['integration_id']} listening on {args.host}:{args.port}", flush=True)
    sys.stderr.flush()
    server.serve_forever()


if __name__ == "__main__":
    main()
