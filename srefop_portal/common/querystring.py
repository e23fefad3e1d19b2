"""The parameters a list page reads from its query string, and nothing else; the links of its pagination."""

from urllib.parse import urlencode

from django.http import QueryDict


def read_parameters(query, names, *, max_length: int) -> QueryDict:
    """The parameters ``names`` of ``query`` (a request's query string), the last value of each, cut at
    ``max_length`` characters (longer than any valid value: a longer one is invalid anyway). What a list page shows
    depends on these only: its cached parts are keyed on them, and its links carry them alone (any other parameter,
    ``utm_source``…, is dropped)."""
    params = QueryDict(mutable=True)
    for name in names:
        value = query.get(name)
        if value is not None:
            params[name] = value[:max_length]
    return params


def page_links(params, page) -> dict[str, str]:
    """The hrefs of a list's pagination (``includes/pagination.html``): the filters ``params`` kept (a mapping of
    strings: a ``QueryDict`` gives the last value of each), the page number set; « previous » and « next » empty on
    the first and last pages. (The veille's links carry a cursor: ``veille.views.page_links``.)"""
    base = {name: params[name] for name in params if name != "page"}

    def href(number: int) -> str:
        return "?" + urlencode({**base, "page": number})

    return {
        "first": href(1),
        "previous": href(page.previous_page_number()) if page.has_previous() else "",
        "next": href(page.next_page_number()) if page.has_next() else "",
        "last": href(page.paginator.num_pages),
    }
