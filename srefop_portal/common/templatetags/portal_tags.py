"""Template helpers available in every template (registered as builtins)."""

from decimal import Decimal

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.inclusion_tag("includes/breadcrumb.html")
def breadcrumb(*args):
    """{% breadcrumb "Territoires" url "Nantes" %}: label/url pairs, then the current page."""
    args = list(args)
    current = args.pop() if len(args) % 2 == 1 else ""
    links = [{"label": args[i], "url": args[i + 1]} for i in range(0, len(args), 2)]
    return {"links": links, "current": current}


@register.filter
def fr_number(value, decimals=0):
    """12345.6 → « 12 346 » (French separators, non-breaking)."""
    if value is None or value == "":
        return "–"
    try:
        number = Decimal(str(value))
    except Exception:
        return value
    return number_format(number, decimal_pos=int(decimals), use_l10n=True, force_grouping=True)


@register.filter
def fr_percent(value, decimals=1):
    if value is None or value == "":
        return "–"
    return f"{fr_number(value, decimals)}\u00a0%"


@register.filter
def get_item(mapping, key):
    try:
        return mapping.get(key)
    except AttributeError:
        return None
