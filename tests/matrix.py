"""Permission matrix helpers: URL × role → expected status.

Usage in tests/<app>/test_permissions.py::

    CASES = [("territories:composition_edit", {"code": "44-NAN"}, {"anonymous": 302, "user": 404, "staff": 200})]

    @pytest.mark.parametrize(("url_name", "kwargs", "role", "expected"), expand(CASES))
    def test_matrix(client_for, url_name, kwargs, role, expected):
        check(client_for, url_name, kwargs, role, expected)
"""

from django.urls import reverse


def expand(cases):
    rows = []
    for url_name, kwargs, expectations in cases:
        for role, expected in expectations.items():
            rows.append((url_name, kwargs, role, expected))
    return rows


def check(client_for, url_name, kwargs, role, expected, method="get", data=None):
    url = reverse(url_name, kwargs=kwargs() if callable(kwargs) else kwargs)
    client = client_for(role)
    response = getattr(client, method)(url, data or {})
    assert response.status_code == expected, f"{role} {method.upper()} {url}: {response.status_code} ≠ {expected}"
    if expected == 302 and role == "anonymous":
        assert "/compte/login/" in response["Location"], response["Location"]
    return response
