"""The parameters a list page reads from its query string, and nothing else."""

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
