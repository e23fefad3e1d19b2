"""Template helpers available in every template (registered as builtins)."""

from decimal import Decimal

from django import template
from django.utils.formats import number_format

from srefop_portal.common import wording
from srefop_portal.common.chrome import render_chrome

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


@register.inclusion_tag("includes/filter_select.html")
def filter_select(
    label, field_id, name, options, selected, *, width=3, empty="Toutes", text="", extra="", extra_label=""
):
    """One select of a GET filter form, in its grid column:
    {% filter_select "Ambition" "cov-ambition" "ambition" ambitions selected.ambition empty="Toutes" %}.

    ``options``: objects (value: their ``code``; label: their attribute ``text``, or str()) or (value, label) pairs.
    ``extra``/``extra_label``: one more option before them (e.g. « Régionales seulement »).
    """
    selected = str(selected or "")
    choices = [(extra, extra_label)] if extra else []
    for option in options:
        if isinstance(option, (tuple, list)):
            choices.append((str(option[0]), option[1]))
        else:
            choices.append((str(option.code), getattr(option, text) if text else str(option)))
    return {
        "label": label,
        "id": field_id,
        "name": name,
        "width": width,
        "empty": empty,
        "choices": [(value, label_, value == selected) for value, label_ in choices],
    }


@register.inclusion_tag("includes/filter_input.html")
def filter_input(label, field_id, name, value, *, width=3, type="search", maxlength=None):
    """One text input of a GET filter form, in its grid column: {% filter_input "Recherche" "f-q" "q" selected.q %}."""
    return {
        "label": label,
        "id": field_id,
        "name": name,
        "value": value or "",
        "width": width,
        "type": type,
        "maxlength": maxlength,
    }


@register.filter(expects_localtime=True)
def fr_date(value, fmt="j F Y"):
    """Like ``|date`` with « 1er » for the first of the month: « 1er janvier 2026 »."""
    if not value:
        return ""
    return wording.long_date(value, fmt)


@register.filter
def fr_plural(count, forms):
    """``{{ n|fr_plural:"action,actions" }}`` → « 1 action », « 2 actions » (French rule: 0 takes the singular).
    Without the number: ``{{ n|fr_plural:"son statut|leur statut" }}`` (forms separated by « | »)."""
    count = int(count or 0)
    if "|" in forms:
        singular, plural_form = forms.split("|", 1)
        return wording.plural(count, singular, plural_form)
    singular, plural_form = forms.split(",", 1)
    return wording.plural(count, f"%(count)s {singular}", f"%(count)s {plural_form}")


class ChromeNode(template.Node):
    def __init__(self, template_name, values, nodelist):
        self.template_name = template_name
        self.values = values
        self.nodelist = nodelist

    def render(self, context):
        values = {name: value.resolve(context) for name, value in self.values.items()}
        nonce = values.pop("nonce", None)
        slot = self.nodelist.render(context) if self.nodelist else ""
        return render_chrome(self.template_name.resolve(context), values, slot=slot, nonce=nonce)


@register.tag
def chrome(parser, token):
    """``{% chrome "includes/x.html" name=value … %}live HTML{% endchrome %}``: the include rendered once per
    process and per values (see ``srefop_portal.common.chrome``); the body is rendered at each request in place of
    the include's ``{{ slot }}``; ``nonce=…`` is written in at each request."""
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("{% chrome %} demande le nom d’un gabarit.")
    values = template.base.token_kwargs(bits[2:], parser, support_legacy=False)
    if len(values) != len(bits) - 2:
        raise template.TemplateSyntaxError("{% chrome %} n’accepte que des valeurs nommées (nom=valeur).")
    nodelist = parser.parse(("endchrome",))
    parser.delete_first_token()
    return ChromeNode(parser.compile_filter(bits[1]), values, nodelist)
