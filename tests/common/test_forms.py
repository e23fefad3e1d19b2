"""ServiceFormMixin: the one way a view hands a form to a service (errors on the form with status 400, success
message and redirect)."""

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.http import HttpResponse
from django.test import RequestFactory
from django.views.generic import TemplateView

from srefop_portal.common.forms import DomainError, ServiceFormMixin


class NameForm(forms.Form):
    name = forms.CharField(max_length=10)


class Refused(DomainError):
    pass


class NameView(ServiceFormMixin, TemplateView):
    success_message = "Enregistré."
    written: list = []

    def make_form(self, data=None, files=None):
        return NameForm(data)

    def perform(self, form):
        if form.cleaned_data["name"] == "refus":
            raise Refused("Ce nom est déjà pris.")
        self.written.append(form.cleaned_data["name"])
        return form.cleaned_data["name"]

    def get_success_url(self, result):
        return f"/noms/{result}/"

    def render_to_response(self, context, **kwargs):
        form = context["form"]
        return HttpResponse(" | ".join(form.non_field_errors() + list(form.errors.get("name", []))), **kwargs)


def post(data):
    request = RequestFactory().post("/noms/", data)
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request, NameView.as_view()(request)


@pytest.fixture(autouse=True)
def _empty():
    NameView.written = []


def test_success_adds_the_message_and_redirects():
    request, response = post({"name": "Léa"})
    assert response.status_code == 302 and response["Location"] == "/noms/L%C3%A9a/"
    assert [str(m) for m in get_messages(request)] == ["Enregistré."]
    assert NameView.written == ["Léa"]


def test_a_domain_error_goes_on_the_form_with_status_400():
    request, response = post({"name": "refus"})
    assert response.status_code == 400
    assert response.content.decode() == "Ce nom est déjà pris."
    assert list(get_messages(request)) == [] and NameView.written == []


def test_an_invalid_form_is_shown_again_with_status_400_and_the_service_is_not_called():
    _request, response = post({"name": "beaucoup trop long"})
    assert response.status_code == 400
    assert "10 caractères" in response.content.decode()
    assert NameView.written == []


def test_other_errors_are_not_swallowed():
    class Broken(NameView):
        def perform(self, form):
            raise RuntimeError("bug")

    request = RequestFactory().post("/noms/", {"name": "Léa"})
    with pytest.raises(RuntimeError):
        Broken.as_view()(request)


def test_every_app_error_is_a_domain_error():
    from accounts.services import AccountError
    from clefop.services import ClefopError
    from reperes.services import ReperesError
    from roadmaps.reports.service import ReportError
    from roadmaps.services import RoadmapError
    from territories.services import CompositionError
    from veille.services import VeilleError

    for error in (AccountError, ClefopError, ReperesError, ReportError, RoadmapError, CompositionError, VeilleError):
        assert issubclass(error, DomainError)
