"""A local HTTP server serving feeds (never the internet), broken ones included."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class FeedServer:
    def __init__(self):
        self.routes = {}
        self.requests = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                server.requests.append((self.path, dict(self.headers)))
                route = server.routes.get(self.path)
                if route is None:
                    self.send_response(404)
                    self.end_headers()
                    return
                if callable(route):
                    route = route(self)
                status, headers, body, delay = (
                    route.get("status", 200),
                    route.get("headers", {}),
                    route.get("body", b""),
                    route.get("delay", 0),
                )
                if delay:
                    time.sleep(delay)
                try:
                    self.send_response(status)
                    for key, value in headers.items():
                        self.send_header(key, value)
                    if "Content-Length" not in headers and body is not None:
                        self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    if body:
                        self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base(self):
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path):
        return self.base + path

    def add(self, path, body=b"", status=200, headers=None, delay=0):
        headers = {"Content-Type": "application/rss+xml; charset=utf-8", **(headers or {})}
        self.routes[path] = {"status": status, "headers": headers, "body": body, "delay": delay}

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def feed_server(settings):
    server = FeedServer()
    # The portal fetches only public addresses; this test server (loopback) is let through by its exact address:port.
    settings.SREFOP_OUTBOUND_ALLOWED_ADDRESSES = [server.base.removeprefix("http://")]
    yield server
    server.close()


def rss(*items, encoding="utf-8", declared=None):
    """An RSS 2.0 document; items are (title, link, description, pubDate) tuples."""
    declared = declared or encoding
    parts = [
        f'<?xml version="1.0" encoding="{declared}"?>',
        '<rss version="2.0"><channel><title>Presse test</title><link>https://presse.example.fr/</link>',
        "<description>Flux de test</description>",
    ]
    for title, link, description, date in items:
        parts.append(
            f"<item><title>{title}</title><link>{link}</link>"
            f"<description><![CDATA[{description}]]></description><pubDate>{date}</pubDate></item>"
        )
    parts.append("</channel></rss>")
    return "".join(parts).encode(encoding)
