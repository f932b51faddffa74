"""The public QR sign-in page (扫码签到): no login, no personal data shown, rate limited."""

from django import forms
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect

from healthedu.activities.models import Event
from healthedu.activities.signin import signin_guest, signin_resident, window_message
from healthedu.org.throttle import client_address


class ResidentSignInForm(forms.Form):
    """Name and birthday (month and day, as on the ID card): see healthedu.activities.signin."""

    name = forms.CharField(label=_("Your name"), max_length=64)
    birth_month = forms.IntegerField(
        label=_("Month of birth (as on your ID card)"),
        min_value=1,
        max_value=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "size": 2}),
    )
    birth_day = forms.IntegerField(
        label=_("Day of birth"),
        min_value=1,
        max_value=31,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "size": 2}),
    )


class GuestSignInForm(forms.Form):
    name = forms.CharField(label=_("Your name (optional)"), max_length=64, required=False)


@never_cache
@csrf_protect
def signin_page(request, token: str):
    event = get_object_or_404(Event.objects.select_related("community"), signin_token=token)
    context = {"event": event, "closed": window_message(event), "result": None}
    resident_form = ResidentSignInForm()
    guest_form = None
    if request.method == "POST" and not context["closed"]:
        if request.POST.get("mode") == "guest":
            guest_form = GuestSignInForm(request.POST)
            if guest_form.is_valid():
                context["result"] = signin_guest(
                    event=event,
                    name=guest_form.cleaned_data["name"],
                    address=client_address(request),
                )
        else:
            resident_form = ResidentSignInForm(request.POST)
            if resident_form.is_valid():
                result = signin_resident(
                    event=event,
                    name=resident_form.cleaned_data["name"],
                    birth_month=resident_form.cleaned_data["birth_month"],
                    birth_day=resident_form.cleaned_data["birth_day"],
                    address=client_address(request),
                )
                context["result"] = result
                if result.outcome == "not_found":
                    guest_form = GuestSignInForm(
                        initial={"name": resident_form.cleaned_data["name"]}
                    )
    result = context["result"]
    outcome = result.outcome if result else None
    open_for_more = not context["closed"] and outcome in (None, "not_found")
    context.update(
        resident_form=resident_form,
        guest_form=guest_form,
        show_resident_form=open_for_more,
        show_guest_form=open_for_more and guest_form is not None,
        success=outcome in ("checked_in", "already", "walk_in"),
    )
    status = 429 if outcome == "blocked" else 200
    return render(request, "activities/signin.html", context, status=status)
