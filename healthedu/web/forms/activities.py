import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import pgettext_lazy

from healthedu.activities.models import AttachmentCategory, EventKind, EventStatus, RepeatRule
from healthedu.program.models import Topic
from healthedu.web.access import communities_in_reach
from healthedu.web.forms.common import DateInput, DateTimeInput
from residents.groups import ALL_GROUPS, GROUP_LABELS

NO_REPEAT = ""
_MATERIAL_LINE = re.compile(r"^(?P<kind>.+?)[\s×xX*]+(?P<count>\d+)\s*$")


class EventForm(forms.Form):
    community = forms.ModelChoiceField(
        label=pgettext_lazy("web", "Community"), queryset=None, empty_label=None
    )
    kind = forms.ChoiceField(label=pgettext_lazy("web", "Kind"), choices=EventKind.choices)
    title = forms.CharField(label=pgettext_lazy("web", "Title"), max_length=200)
    starts_at = forms.DateTimeField(label=pgettext_lazy("web", "Starts at"), widget=DateTimeInput)
    ends_at = forms.DateTimeField(label=pgettext_lazy("web", "Ends at"), widget=DateTimeInput)
    venue = forms.CharField(label=pgettext_lazy("web", "Venue"), max_length=200, required=False)
    topics = forms.ModelMultipleChoiceField(
        label=pgettext_lazy("web", "Topics"),
        queryset=Topic.objects.order_by("pk"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    target_groups = forms.MultipleChoiceField(
        label=pgettext_lazy("web", "Target groups"),
        choices=[(g, GROUP_LABELS[g]) for g in ALL_GROUPS],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    capacity = forms.IntegerField(
        label=pgettext_lazy("web", "Capacity"),
        min_value=1,
        required=False,
        help_text=pgettext_lazy("web", "Blank: no limit."),
    )
    speaker = forms.CharField(label=pgettext_lazy("web", "Speaker"), max_length=100, required=False)
    organiser = forms.CharField(
        label=pgettext_lazy("web", "Organiser"), max_length=100, required=False
    )
    form = forms.CharField(
        label=pgettext_lazy("web", "Form of activity"), max_length=100, required=False
    )
    content = forms.CharField(
        label=pgettext_lazy("web", "Content"), required=False, widget=forms.Textarea({"rows": 3})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = communities_in_reach(user)

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        for name in ("venue", "speaker", "organiser", "form", "content"):
            data[name] = data.get(name) or ""
        data["topics"] = list(data.get("topics") or [])
        return data


class EditEventForm(EventForm):
    """Editing an activity; one that is part of a repeat may carry its plan to those to come."""

    apply_to_following = forms.BooleanField(
        label=pgettext_lazy(
            "web",
            "Also change the coming occurrences of this repeat (all but their times)",
        ),
        required=False,
    )

    def __init__(self, *args, in_series: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not in_series:
            del self.fields["apply_to_following"]

    def service_data(self) -> dict:
        data = super().service_data()
        data.pop("apply_to_following", None)
        return data


class NewEventForm(EventForm):
    repeat = forms.ChoiceField(
        label=pgettext_lazy("web", "Repeat"),
        required=False,
        choices=[(NO_REPEAT, pgettext_lazy("web", "Does not repeat")), *RepeatRule.choices],
    )
    interval = forms.IntegerField(
        label=pgettext_lazy("web", "Every"),
        min_value=1,
        max_value=52,
        initial=1,
        required=False,
        help_text=pgettext_lazy("web", "e.g. 1 = every week, 2 = every other week"),
    )
    until = forms.DateField(
        label=pgettext_lazy("web", "Repeat until"), required=False, widget=DateInput
    )
    count = forms.IntegerField(
        label=pgettext_lazy("web", "Number of occurrences"), min_value=1, required=False
    )

    def repeat_args(self) -> dict | None:
        rule = self.cleaned_data.get("repeat")
        if not rule:
            return None
        return {
            "rule": rule,
            "interval": self.cleaned_data.get("interval") or 1,
            "until": self.cleaned_data.get("until"),
            "count": self.cleaned_data.get("count"),
        }

    def service_data(self) -> dict:
        data = super().service_data()
        for name in ("repeat", "interval", "until", "count"):
            data.pop(name, None)
        return data


class RecordForm(forms.Form):
    """The record form's second half (活动记录表): what happened, filled in after the activity."""

    status = forms.ChoiceField(label=pgettext_lazy("web", "Status"), choices=EventStatus.choices)
    walk_ins = forms.IntegerField(
        label=pgettext_lazy("web", "Walk-ins"),
        min_value=0,
        help_text=pgettext_lazy("web", "People who took part but are not registered residents."),
    )
    materials = forms.CharField(
        label=pgettext_lazy("web", "Materials handed out"),
        required=False,
        widget=forms.Textarea({"rows": 3}),
        help_text=pgettext_lazy("web", "One kind a line, then the count: 高血压防治折页 50"),
    )
    summary = forms.CharField(
        label=pgettext_lazy("web", "Summary and evaluation"),
        required=False,
        widget=forms.Textarea({"rows": 4}),
    )
    recorder = forms.CharField(
        label=pgettext_lazy("web", "Recorded by"), max_length=64, required=False
    )
    responsible = forms.CharField(
        label=pgettext_lazy("web", "Person responsible"), max_length=64, required=False
    )
    recorded_on = forms.DateField(
        label=pgettext_lazy("web", "Recorded on"), required=False, widget=DateInput
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    @staticmethod
    def materials_text(materials) -> str:
        return "\n".join(f"{m.kind} {m.count}" for m in materials)

    def clean_materials(self) -> list[dict]:
        rows = []
        for number, line in enumerate(self.cleaned_data["materials"].splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            match = _MATERIAL_LINE.match(line)
            if not match:
                raise ValidationError(
                    pgettext_lazy(
                        "web", "Line %(n)d: write the kind, then the count (e.g. 折页 50)."
                    )
                    % {"n": number}
                )
            rows.append({"kind": match["kind"].strip(), "count": int(match["count"])})
        return rows

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        for name in ("summary", "recorder", "responsible"):
            data[name] = data.get(name) or ""
        return data


class WalkInForm(forms.Form):
    name = forms.CharField(
        label=pgettext_lazy("web", "Name (optional)"), max_length=64, required=False
    )


class AttachmentForm(forms.Form):
    category = forms.ChoiceField(
        label=pgettext_lazy("web", "Archive box"), choices=AttachmentCategory.choices
    )
    file = forms.FileField(
        label=pgettext_lazy("web", "File"),
        help_text=pgettext_lazy("web", "A JPEG or PNG photo, or a PDF."),
        widget=forms.ClearableFileInput({"accept": ".jpg,.jpeg,.png,.pdf"}),
    )
