from django import forms
from django.utils.translation import pgettext_lazy

from healthedu.surveys.models import DEFAULT_THRESHOLD, BankItem, Round
from healthedu.web.access import communities_in_reach
from healthedu.web.forms.common import DateInput


class SurveyBuildForm(forms.Form):
    title = forms.CharField(label=pgettext_lazy("web", "Title"), max_length=200)
    community = forms.ChoiceField(label=pgettext_lazy("web", "Community"))
    knowledge_threshold = forms.FloatField(
        label=pgettext_lazy("web", "Knowledge threshold"),
        initial=DEFAULT_THRESHOLD,
        min_value=0.01,
        max_value=1,
        help_text=pgettext_lazy(
            "web", "Share of knowledge items right to count as aware (0.8 = 80 per cent)."
        ),
    )
    behavior_threshold = forms.FloatField(
        label=pgettext_lazy("web", "Behaviour threshold"),
        initial=DEFAULT_THRESHOLD,
        min_value=0.01,
        max_value=1,
    )
    bank_items = forms.ModelMultipleChoiceField(
        label=pgettext_lazy("web", "Items from the bank"),
        queryset=BankItem.objects.select_related("topic").order_by("topic_id", "kind", "pk"),
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.communities = {str(c.pk): c for c in communities_in_reach(user)}
        choices = [(pk, c.name) for pk, c in self.communities.items()]
        if user.is_admin:
            choices = [("", pgettext_lazy("web", "Shared by all communities")), *choices]
        self.fields["community"].choices = choices
        self.fields["community"].required = not user.is_admin

    def service_args(self) -> dict:
        data = self.cleaned_data
        return {
            "title": data["title"],
            "community": self.communities.get(data["community"]),
            "bank_ids": [item.pk for item in data["bank_items"]],
            "knowledge_threshold": data["knowledge_threshold"],
            "behavior_threshold": data["behavior_threshold"],
        }


class ResponseForm(forms.Form):
    """One paper questionnaire: who, when, which round, and the options ticked per item."""

    round = forms.ChoiceField(label=pgettext_lazy("web", "Round"), choices=Round.choices)
    answered_on = forms.DateField(label=pgettext_lazy("web", "Answered on"), widget=DateInput)
    sex = forms.ChoiceField(
        label=pgettext_lazy("web", "Sex"),
        required=False,
        choices=[
            ("", "—"),
            ("M", pgettext_lazy("web", "Male")),
            ("F", pgettext_lazy("web", "Female")),
        ],
    )
    age = forms.IntegerField(
        label=pgettext_lazy("web", "Age"), required=False, min_value=0, max_value=130
    )
    is_migrant = forms.BooleanField(
        label=pgettext_lazy("web", "Floating population"), required=False
    )
    community = forms.ChoiceField(label=pgettext_lazy("web", "Community"), required=False)

    def __init__(self, *args, user, survey, items, resident=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.resident = resident
        self.items = items
        self.communities = {str(c.pk): c for c in communities_in_reach(user)}
        self.fields["community"].choices = [(pk, c.name) for pk, c in self.communities.items()]
        if survey.community_id:
            self.fields["community"].initial = str(survey.community_id)
        for item in items:
            choices = [(str(i), f"{chr(65 + i)}. {text}") for i, text in enumerate(item.options)]
            label = f"{item.order}. {item.text}"
            if item.multiple:
                field = forms.MultipleChoiceField(
                    label=label,
                    choices=choices,
                    required=False,
                    widget=forms.CheckboxSelectMultiple,
                )
            else:
                # A blank choice, so that a mis-click on a paper's unanswered item can be undone.
                blank = ("", pgettext_lazy("web", "Not answered"))
                field = forms.ChoiceField(
                    label=label, choices=[*choices, blank], required=False, widget=forms.RadioSelect
                )
            field.item = item
            self.fields[f"q{item.pk}"] = field

    def item_fields(self):
        return [self[f"q{item.pk}"] for item in self.items]

    def respondent_fields(self):
        return [self[name] for name in ("sex", "age", "is_migrant", "community")]

    def service_args(self) -> dict:
        data = self.cleaned_data
        answers = []
        for item in self.items:
            value = data.get(f"q{item.pk}")
            chosen = value if isinstance(value, list) else ([value] if value else [])
            answers.append({"item": item.pk, "choice": [int(c) for c in chosen]})
        args = {"answered_on": data["answered_on"], "round": data["round"], "answers": answers}
        if self.resident is not None:
            args["resident"] = self.resident
        else:
            args.update(
                sex=data.get("sex") or None,
                age=data.get("age"),
                is_migrant=bool(data.get("is_migrant")),
                community=self.communities.get(data.get("community") or ""),
            )
        return args


class ResponseImportForm(forms.Form):
    community = forms.ChoiceField(label=pgettext_lazy("web", "Community"))
    file = forms.FileField(
        label=pgettext_lazy("web", "Questionnaire file"),
        help_text=pgettext_lazy("web", "An .xlsx or .csv file made from the survey's template."),
        widget=forms.ClearableFileInput({"accept": ".xlsx,.csv"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.communities = {str(c.pk): c for c in communities_in_reach(user)}
        self.fields["community"].choices = [(pk, c.name) for pk, c in self.communities.items()]
