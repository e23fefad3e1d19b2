from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.views import View
from django.views.generic import FormView, TemplateView

from ..forms import DocumentForm, VersionForm
from ..models import Document, DocumentVersion
from ..services import ClefopError
from ..services.documents import add_version, delete_document, restore_document, upload_document
from .base import BodyMixin


class DocumentMixin(BodyMixin):
    """A document of the body; deleted documents exist only for staff."""

    def get_document(self) -> Document:
        if not hasattr(self, "_document"):
            queryset = Document.objects.for_user(self.request.user).select_related(
                "body", "current_version", "current_version__document__body", "meeting", "meeting__body"
            )
            if not self.request.user.has_perm("clefop.restore_document"):
                queryset = queryset.alive()
            self._document = get_object_or_404(queryset, body=self.body, pk=self.kwargs["pk"])
        return self._document

    def get_context_data(self, **kwargs):
        kwargs.setdefault("document", self.get_document())
        return super().get_context_data(**kwargs)


class DocumentListView(BodyMixin, TemplateView):
    template_name = "clefop/document_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        documents = Document.objects.filter(body=self.body).select_related("body", "current_version", "meeting")
        context["documents"] = list(documents.alive().order_by("-updated_at"))
        context["can_restore"] = self.request.user.has_perm("clefop.restore_document")
        context["deleted"] = (
            list(documents.filter(deleted_at__isnull=False).select_related("deleted_by").order_by("-deleted_at"))
            if context["can_restore"]
            else []
        )
        return context


class DocumentUploadView(BodyMixin, FormView):
    permission_required = "clefop.manage_body"
    template_name = "clefop/document_form.html"
    form_class = DocumentForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["body"] = self.body
        return kwargs

    def get_initial(self):
        meeting = self.request.GET.get("reunion", "")
        return {"meeting": meeting} if meeting.isdigit() else {}

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        try:
            document = upload_document(
                body=self.body,
                meeting=form.cleaned_data["meeting"],
                title=form.cleaned_data["title"],
                data=upload.read(),
                filename=upload.name,
                by=self.request.user,
            )
        except ClefopError as exc:
            form.add_error("file", str(exc))
            return self.form_invalid(form)
        messages.success(self.request, f"Document « {document.title} » déposé.")
        return redirect(document.get_absolute_url())

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


class DocumentDetailView(DocumentMixin, FormView):
    template_name = "clefop/document_detail.html"
    form_class = VersionForm

    def get_context_data(self, **kwargs):
        kwargs["versions"] = list(self.get_document().versions.select_related("uploaded_by", "document__body"))
        kwargs["can_restore"] = self.request.user.has_perm("clefop.restore_document")
        return super().get_context_data(**kwargs)

    def post(self, request, *args, **kwargs):
        raise Http404  # uploads go through DocumentVersionCreateView


class DocumentVersionCreateView(DocumentMixin, FormView):
    permission_required = "clefop.manage_body"
    template_name = "clefop/document_detail.html"
    form_class = VersionForm

    def get_context_data(self, **kwargs):
        kwargs["versions"] = list(self.get_document().versions.select_related("uploaded_by", "document__body"))
        kwargs["can_restore"] = self.request.user.has_perm("clefop.restore_document")
        return super().get_context_data(**kwargs)

    def get(self, request, *args, **kwargs):
        return redirect(self.get_document().get_absolute_url())

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        document = self.get_document()
        try:
            version = add_version(document=document, data=upload.read(), filename=upload.name, by=self.request.user)
        except ClefopError as exc:
            form.add_error("file", str(exc))
            return self.form_invalid(form)
        messages.success(self.request, f"Version {version.number} déposée ; les versions précédentes sont conservées.")
        return redirect(document.get_absolute_url())

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


class DocumentDownloadView(DocumentMixin, View):
    def get(self, request, *args, **kwargs):
        document = self.get_document()
        version = get_object_or_404(DocumentVersion, document=document, pk=kwargs["version_pk"])
        return version.download_response()


class DocumentDeleteView(DocumentMixin, TemplateView):
    permission_required = "clefop.manage_body"
    template_name = "clefop/document_delete.html"

    def post(self, request, *args, **kwargs):
        document = self.get_document()
        try:
            delete_document(document=document, by=request.user)
        except ClefopError as exc:
            messages.error(request, str(exc))
            return redirect(document.get_absolute_url())
        messages.success(request, f"Document « {document.title} » supprimé. L’équipe du Carif-Oref peut le restaurer.")
        return redirect("clefop:document_list", self.body.slug)


class DocumentRestoreView(DocumentMixin, View):
    permission_required = "clefop.restore_document"
    http_method_names = ["post"]

    def get_permission_object(self):
        return None

    def post(self, request, *args, **kwargs):
        document = self.get_document()
        try:
            restore_document(document=document)
        except ClefopError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"Document « {document.title} » restauré.")
        return redirect(document.get_absolute_url())
