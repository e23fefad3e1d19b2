from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views import View
from django.views.generic import DetailView, ListView
from django_htmx.http import trigger_client_event

from .jobs import job_context, kind_label, user_can_view
from .models import Job, Notice, OutboxMessage
from .permissions import PermissionRequiredMixin, StaffViewMixin


class JobAccessMixin(PermissionRequiredMixin):
    permission_required = "common.follow_jobs"

    def get_job(self) -> Job:
        """The job of the URL if the user may follow it (read once per request: the permission check and the view
        both ask for it, and browsers poll the progress every second)."""
        if not hasattr(self, "_job"):
            job = get_object_or_404(Job, uuid=self.kwargs["uuid"])
            if not user_can_view(self.request.user, job):
                raise Http404
            self._job = job
        return self._job


class JobDetailView(JobAccessMixin, DetailView):
    template_name = "common/job_detail.html"
    context_object_name = "job"

    def get_object(self, queryset=None):
        return self.get_job()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if not self.request.htmx:  # the polled fragment (common/job_progress.html) shows the progress only
            context["label"] = kind_label(self.object.kind)
            context["job_context"] = job_context(self.object)
        return context

    def get_template_names(self):
        if self.request.htmx:
            return ["common/job_progress.html"]
        return [self.template_name]

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        if self.request.htmx and self.object.is_finished:
            # The last poll: a page showing the job can refresh what the job changed (hx-trigger="job-finished
            # from:body"), e.g. an import's status once its roll-back is done.
            trigger_client_event(response, "job-finished", {"uuid": str(self.object.uuid)})
        return response


class JobDownloadView(JobAccessMixin, View):
    def get(self, request, *args, **kwargs):
        job = self.get_job()
        if not job.has_file:
            raise Http404("Fichier expiré ou indisponible.")
        try:
            handle = job.file.open("rb")
        except FileNotFoundError:
            raise Http404("Fichier expiré ou indisponible.") from None
        return FileResponse(handle, as_attachment=True, filename=job.filename, content_type=job.content_type)


class NoticeListView(PermissionRequiredMixin, ListView):
    permission_required = "common.follow_jobs"
    template_name = "common/notices.html"
    context_object_name = "notices"
    paginate_by = 30

    def get_queryset(self):
        return Notice.objects.filter(user=self.request.user)

    def post(self, request, *args, **kwargs):
        Notice.objects.filter(user=request.user, read_at__isnull=True).update(read_at=timezone.now())
        return redirect("common:notices")


class OutboxView(StaffViewMixin, ListView):
    """Staff: the portal's e-mails by status (failed first by default), and « renvoyer » for failed ones."""

    permission_required = "common.manage_outbox"
    template_name = "common/outbox.html"
    context_object_name = "messages_list"
    paginate_by = 50

    def status(self) -> str:
        status = self.request.GET.get("statut", OutboxMessage.Status.FAILED)
        return status if status in OutboxMessage.Status.values else OutboxMessage.Status.FAILED

    def get_queryset(self):
        return OutboxMessage.objects.for_user(self.request.user).filter(status=self.status()).defer("html_body")

    def get_context_data(self, **kwargs):
        from django.db.models import Count

        context = super().get_context_data(**kwargs)
        counts = dict(OutboxMessage.objects.for_user(self.request.user).values_list("status").annotate(n=Count("pk")))
        context["status"] = self.status()
        context["tabs"] = [
            {"value": value, "label": label, "count": counts.get(value, 0)}
            for value, label in OutboxMessage.Status.choices
        ]
        return context

    def post(self, request, *args, **kwargs):
        from django.contrib import messages

        from . import notifications, wording

        if request.POST.get("tous") == "1":
            ids = OutboxMessage.objects.for_user(request.user).filter(status=OutboxMessage.Status.FAILED)
            ids = list(ids.values_list("pk", flat=True))
        else:
            ids = [int(pk) for pk in request.POST.getlist("message") if pk.isdigit()]
        if not ids:
            messages.error(request, "Choisissez au moins un courriel à renvoyer.")
            return redirect(request.path + "?statut=failed")
        count = notifications.resend(message_ids=ids)
        if count:
            messages.success(
                request,
                wording.plural(
                    count, "%(count)s courriel remis en file d’envoi.", "%(count)s courriels remis en file d’envoi."
                ),
            )
        else:
            messages.error(request, "Aucun de ces courriels n’est en échec : rien n’a été renvoyé.")
        return redirect(request.path + "?statut=failed")
