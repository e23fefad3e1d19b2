from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.generic import FormView, TemplateView

from srefop_portal.common.forms import ServiceFormMixin

from ..forms import AttendanceForm, MeetingForm, MinutesForm
from ..models import Attendance, Document, Meeting, MeetingKind, Membership
from ..services import ClefopError
from ..services.documents import upload_document
from ..services.meetings import create_meeting, save_minutes, set_attendance, update_meeting
from .base import BodyMixin


class MeetingMixin(BodyMixin):
    def get_meeting(self) -> Meeting:
        if not hasattr(self, "_meeting"):
            self._meeting = get_object_or_404(
                Meeting.objects.for_user(self.request.user).select_related("body"),
                body=self.body,
                pk=self.kwargs["pk"],
            )
        return self._meeting

    def get_context_data(self, **kwargs):
        kwargs.setdefault("meeting", self.get_meeting())
        return super().get_context_data(**kwargs)


class MeetingListView(BodyMixin, TemplateView):
    template_name = "clefop/meeting_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        meetings = (
            Meeting.objects.filter(body=self.body)
            .select_related("body")
            .annotate(
                present_count=Count("participants", filter=Q(participants__status=Attendance.PRESENT), distinct=True),
                minutes_documents=Count(
                    "documents", filter=Q(documents__is_minutes=True, documents__deleted_at__isnull=True), distinct=True
                ),
            )
            .order_by("-start")
        )
        now = timezone.now()
        meetings = list(meetings)
        context.update(
            upcoming=sorted([m for m in meetings if m.end >= now], key=lambda m: m.start),
            past=[m for m in meetings if m.end < now],
        )
        return context


class MeetingDetailView(MeetingMixin, TemplateView):
    template_name = "clefop/meeting_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        meeting = self.get_meeting()
        participants = list(meeting.participants.select_related("user").order_by("user__last_name"))
        context.update(
            agenda=list(meeting.agenda_items.all()),
            participants=participants,
            counts={
                status: sum(1 for p in participants if p.status == status) for status, _label in Attendance.choices
            },
            documents=list(
                Document.objects.alive()
                .filter(meeting=meeting)
                .select_related("body", "current_version", "current_version__document__body")
                .order_by("title")
            ),
        )
        return context


def _meeting_initial(meeting: Meeting) -> dict:
    return {
        "title": meeting.title,
        "kind": meeting.kind,
        "mode": meeting.mode,
        "place": meeting.place,
        "video_url": meeting.video_url,
        "start": timezone.localtime(meeting.start),
        "end": timezone.localtime(meeting.end),
        "agenda": "\n".join(item.title for item in meeting.agenda_items.all()),
    }


class MeetingCreateView(ServiceFormMixin, BodyMixin, FormView):
    permission_required = "clefop.manage_body"
    template_name = "clefop/meeting_form.html"
    form_class = MeetingForm

    def get_context_data(self, **kwargs):
        kwargs.setdefault("meeting", None)
        return super().get_context_data(**kwargs)

    def get_initial(self):
        kind = MeetingKind.WORKING_GROUP if self.body.kind == "working_group" else MeetingKind.PLENARY
        return {"kind": kind}

    def perform(self, form):
        return create_meeting(body=self.body, by=self.request.user, **form.cleaned_data)

    def get_success_message(self, meeting):
        return f"Réunion « {meeting.title} » créée ; les membres y sont invités."

    def get_success_url(self, meeting):
        return meeting.get_absolute_url()


class MeetingUpdateView(MeetingMixin, MeetingCreateView):
    def get_initial(self):
        return _meeting_initial(self.get_meeting())

    def perform(self, form):
        return update_meeting(meeting=self.get_meeting(), **form.cleaned_data)

    def get_success_message(self, meeting):
        return "Réunion mise à jour."


class MeetingAttendanceView(ServiceFormMixin, MeetingMixin, FormView):
    permission_required = "clefop.manage_body"
    template_name = "clefop/meeting_attendance.html"
    form_class = AttendanceForm

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        meeting = self.get_meeting()
        statuses = {p.user_id: (p.user, p.status) for p in meeting.participants.select_related("user")}
        for membership in Membership.objects.active().filter(body=self.body).select_related("user"):
            statuses.setdefault(membership.user_id, (membership.user, Attendance.INVITED))
        kwargs["participants"] = sorted(statuses.values(), key=lambda pair: (pair[0].last_name, pair[0].first_name))
        return kwargs

    success_message = "Présences enregistrées."

    def perform(self, form):
        return set_attendance(meeting=self.get_meeting(), statuses=form.statuses())

    def get_success_url(self, result):
        return self.get_meeting().get_absolute_url()


class MeetingMinutesView(MeetingMixin, FormView):
    permission_required = "clefop.manage_body"
    template_name = "clefop/meeting_minutes.html"
    form_class = MinutesForm

    def get_initial(self):
        return {"minutes_text": self.get_meeting().minutes_text}

    def form_valid(self, form):
        meeting = self.get_meeting()
        upload = form.cleaned_data.get("file")
        try:
            if upload:
                upload_document(
                    body=self.body,
                    meeting=meeting,
                    title=f"Compte rendu — {meeting.title}",
                    data=upload.read(),
                    filename=upload.name,
                    by=self.request.user,
                    is_minutes=True,
                )
            save_minutes(meeting=meeting, text=form.cleaned_data["minutes_text"])
        except ClefopError as exc:
            form.add_error("file" if upload else None, str(exc))
            return self.form_invalid(form)
        messages.success(self.request, "Compte rendu enregistré.")
        return redirect(meeting.get_absolute_url())

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)
