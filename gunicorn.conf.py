"""gunicorn settings of the portal, read by ``gunicorn -c gunicorn.conf.py`` (Dockerfile, docker-compose.yml; gunicorn
also reads this file by default from the working directory).

No server banner: gunicorn writes ``Server: gunicorn`` on every answer and has no setting to leave it out; the
header is dropped here, in the master process before the workers are forked (tests/security/test_headers.py).
"""

import gunicorn.http.wsgi as _gunicorn_wsgi

_default_headers = _gunicorn_wsgi.Response.default_headers


def _without_server_banner(self):
    return [line for line in _default_headers(self) if not line.lower().startswith("server:")]


_gunicorn_wsgi.Response.default_headers = _without_server_banner
