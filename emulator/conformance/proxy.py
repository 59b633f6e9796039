"""A recording reverse proxy for the conformance test (Python stdlib only).

It sits between the AWS CLI and the emulator so the test sees the raw wire response (status,
Content-Type, body bytes) that the CLI parsed, which the CLI itself never shows. Each exchange is
appended as one JSON line to the log:
  {"seq", "target", "region", "status", "contentType", "headers", "body", "requestBody"}
where `headers` holds the response headers, names in lower case.

Usage: proxy.py --upstream http://127.0.0.1:PORT --log FILE [--port 0]
Prints `listening on http://127.0.0.1:PORT` once it accepts connections.
"""

import argparse
import http.client
import http.server
import json
import re
import sys
import threading
import urllib.parse

# Hop-by-hop headers are about one connection, so they are not forwarded (RFC 9110 7.6.1).
HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer", "upgrade"}


def credential_region(authorization):
    """The region of a SigV4 credential scope (`Credential=AKID/DATE/REGION/SERVICE/aws4_request`)."""
    match = re.search(r"Credential=[^/]+/\d{8}/([^/]+)/", authorization or "")
    return match.group(1) if match else None


class Recorder:
    def __init__(self, path):
        self.path = path
        self.lock = threading.Lock()
        self.seq = 0

    def write(self, entry):
        with self.lock:
            self.seq += 1
            entry["seq"] = self.seq
            with open(self.path, "a", encoding="utf-8") as f:
                f.write(json.dumps(entry) + "\n")


def make_handler(upstream, recorder):
    target_url = urllib.parse.urlsplit(upstream)

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, fmt, *args):  # keep the test output to the cases
            pass

        def _forward(self):
            length = int(self.headers.get("Content-Length") or 0)
            request_body = self.rfile.read(length) if length else b""
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            connection = http.client.HTTPConnection(target_url.hostname, target_url.port, timeout=60)
            try:
                connection.request(self.command, self.path, body=request_body, headers=headers)
                response = connection.getresponse()
                status, reason = response.status, response.reason
                response_headers = response.getheaders()
                body = response.read()
            except (OSError, http.client.HTTPException) as e:
                # The emulator dropped the connection: record it and do the same to the client.
                recorder.write(self._entry(request_body, None, None, f"upstream error: {e}", {}))
                self.close_connection = True
                return
            finally:
                connection.close()
            content_type = next((v for k, v in response_headers if k.lower() == "content-type"), None)
            recorded_headers = {k.lower(): v for k, v in response_headers}
            recorder.write(self._entry(request_body, status, content_type, body.decode("utf-8", "replace"), recorded_headers))
            self.send_response(status, reason)
            for key, value in response_headers:
                if key.lower() not in HOP_BY_HOP and key.lower() != "content-length":
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _entry(self, request_body, status, content_type, body, headers):
            return {
                "method": self.command,
                "path": self.path,
                "target": self.headers.get("X-Amz-Target"),
                "region": credential_region(self.headers.get("Authorization")),
                "requestBody": request_body.decode("utf-8", "replace"),
                "status": status,
                "contentType": content_type,
                "headers": headers,
                "body": body,
            }

        do_POST = do_GET = do_PUT = do_DELETE = _forward

    return Handler


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--upstream", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(args.upstream, Recorder(args.log)))
    host, port = server.server_address[:2]
    print(f"listening on http://{host}:{port}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
