"""One way to handle a form whose data goes to a service (the services raise a :class:`DomainError` subclass with
a French message when a business rule refuses the action).

POST: an invalid form, or a domain error raised by the service, shows the page again with the errors on the form,
status 400, nothing written (the service is atomic); a success adds the success message and redirects. A view
states only what differs::

    class RoadmapEditView(ServiceFormMixin, RoadmapMixin, TemplateView):
        success_message = "Feuille de route enregistrée."

        def make_form(self, data=None, files=None):
            return RoadmapEditForm(data)

        def perform(self, form):
            return services.update_roadmap(roadmap=self.get_roadmap(), user=self.request.user, **form.cleaned_data)

        def get_success_url(self, result):
            return result.get_absolute_url()
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect


class DomainError(Exception):
    """A business rule refused the action; the message (in French) is shown to the person. Each app's error
    (``ClefopError``, ``RoadmapError``...) derives from it."""


class ServiceFormMixin:
    success_message = ""

    def make_form(self, data=None, files=None):
        """The form bound to ``data`` (on a ``FormView``, Django's ``get_form()`` is used: nothing to define)."""
        if hasattr(self, "get_form"):
            return self.get_form()
        raise NotImplementedError

    def perform(self, form):
        """Call the service with the form's cleaned data; return what it made (passed to the success hooks)."""
        raise NotImplementedError

    def get_success_url(self, result=None) -> str:
        parent = getattr(super(), "get_success_url", None)  # a FormView's success_url
        if parent is None:
            raise NotImplementedError
        return parent()

    def get_success_message(self, result) -> str:
        return self.success_message

    def domain_error_response(self, form, error: DomainError) -> HttpResponse | None:
        """The error goes on the form (override to answer differently for some errors)."""
        form.add_error(None, str(error))
        return None

    def form_error_response(self, form) -> HttpResponse:
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def form_success_response(self, result) -> HttpResponse:
        message = self.get_success_message(result)
        if message:
            messages.success(self.request, message)
        return redirect(self.get_success_url(result))

    def submit(self, form) -> HttpResponse:
        if form.is_valid():
            try:
                result = self.perform(form)
            except DomainError as error:
                response = self.domain_error_response(form, error)
                if response is not None:
                    return response
            else:
                return self.form_success_response(result)
        return self.form_error_response(form)

    def post(self, request, *args, **kwargs):
        return self.submit(self.make_form(request.POST, request.FILES))
