"""The admin site passes through the same reach as the API and pages, and writes the audit log.

Two kinds of admin:

- ScopedAdmin: reach only, for rows no service guards (communities, targets' neighbours, jobs).
- ServiceAdmin: every write (add, change, delete, the bulk delete action) goes through the
  app's service function, the same one the API calls, so that the period lock
  (healthedu.locking) and the app's rules hold here too. A refusal of the service becomes an
  error on the form, or a message on the page, never a 500; the transaction of the refused
  write is rolled back whole.
"""

from contextlib import contextmanager

from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import ProtectedError, RestrictedError
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _

from healthedu.audit.services import Action, audit_record
from healthedu.locking import PeriodLocked, ensure_period_open


class ScopedAdmin(admin.ModelAdmin):
    def get_queryset(self, request):
        return super().get_queryset(request).in_reach(request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        queryset = db_field.related_model._default_manager.all()
        if hasattr(queryset, "in_reach"):
            kwargs["queryset"] = queryset.in_reach(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        queryset = db_field.related_model._default_manager.all()
        if hasattr(queryset, "in_reach"):
            kwargs["queryset"] = queryset.in_reach(request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def log_addition(self, request, obj, message):
        audit_record(user=request.user, action=Action.CREATE, obj=obj, note="admin")
        return super().log_addition(request, obj, message)

    def log_change(self, request, obj, message):
        fields = []
        for entry in message or []:
            fields.extend(entry.get("changed", {}).get("fields", []))
        audit_record(user=request.user, action=Action.UPDATE, obj=obj, fields=fields, note="admin")
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        for obj in queryset:
            audit_record(user=request.user, action=Action.DELETE, obj=obj, note="admin")
        return super().log_deletions(request, queryset)


class ReadOnlyMixin:
    """Shown, never written here (each admin that uses it says why)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(ReadOnlyMixin, admin.TabularInline):
    extra = 0
    can_delete = False


class AdminRefused(Exception):
    """A service refused an admin write: messages by form field (None: the whole form)."""

    def __init__(self, errors: dict):
        super().__init__(errors)
        self.errors = errors

    @property
    def messages(self) -> list[str]:
        return [str(m) for messages_ in self.errors.values() for m in messages_]


@contextmanager
def refusals():
    """Turn what a service raises to refuse a write into AdminRefused."""
    try:
        yield
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            raise AdminRefused(
                {None if k == "__all__" else k: v for k, v in exc.message_dict.items()}
            ) from exc
        raise AdminRefused({None: exc.messages}) from exc
    except PeriodLocked as exc:
        raise AdminRefused({None: [str(exc)]}) from exc
    except PermissionDenied as exc:
        raise AdminRefused({None: [str(exc) or _("You may not make this change.")]}) from exc
    except (ProtectedError, RestrictedError) as exc:
        # A domain error built on ProtectedError carries its own message; Django's own says
        # only which foreign keys, in English.
        own = type(exc) not in (ProtectedError, RestrictedError) and exc.args and exc.args[0]
        message = (
            str(own) if own else _("Other records refer to this one, so it cannot be deleted.")
        )
        raise AdminRefused({None: [message]}) from exc


class ServiceAdmin(ScopedAdmin):
    """Writes through services. Subclasses give service_create / service_update /
    service_delete (a missing one makes that write unavailable here) and, for dated records,
    period_of(obj) → (community id, date or time) of the month that locks it."""

    service_create = None  # (request, obj, form) -> saved object
    service_update = None  # (request, obj, form) -> saved object
    service_delete = None  # (request, obj) -> None

    # -- what may be done here

    def has_add_permission(self, request, *args):
        return self.service_create is not None and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return self.service_update is not None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.service_delete is not None and super().has_delete_permission(request, obj)

    def period_of(self, obj):
        """(community id, when) of the month whose lock covers obj; None if it is not dated."""
        return None

    def locked_message(self, obj) -> str:
        """Why obj cannot be written now: its month is finalised (the service's own check)."""
        period = self.period_of(obj)
        if period is None:
            return ""
        try:
            ensure_period_open(*period)
        except PeriodLocked as exc:
            return str(exc)
        return ""

    def delete_refusal(self, request, obj) -> str:
        """Why obj cannot be deleted, said before the confirmation page ('' if it can).
        The service checks again when it deletes."""
        return self.locked_message(obj)

    # -- the writes

    def save_model(self, request, obj, form, change):
        with refusals():
            if change:
                saved = self.service_update(request, obj, form)
            else:
                saved = self.service_create(request, obj, form)
        if saved is not None and saved is not obj:
            # The admin goes on with its own instance (log entry, redirect): make it the saved row.
            obj.pk = saved.pk
            obj._state.adding = False
            obj.refresh_from_db()

    def save_related(self, request, form, formsets, change):
        # Related rows (topics and the like) are part of what the service writes; inlines of a
        # service-backed admin are read-only, or passed to the service by the subclass.
        for formset in formsets:
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    def delete_model(self, request, obj):
        with refusals(), transaction.atomic():
            admin.ModelAdmin.log_deletions(self, request, [obj])
            self.service_delete(request, obj)

    def delete_queryset(self, request, queryset):
        """All or nothing: one refused record keeps every selected one."""
        with refusals(), transaction.atomic():
            objs = list(queryset)
            admin.ModelAdmin.log_deletions(self, request, objs)
            for obj in objs:
                self.service_delete(request, obj)

    # The services write the audit log; the admin keeps only its own history (LogEntry), and
    # that of a deletion is written with the deletion, so that a refused one leaves none.
    def log_addition(self, request, obj, message):
        return admin.ModelAdmin.log_addition(self, request, obj, message)

    def log_change(self, request, obj, message):
        return admin.ModelAdmin.log_change(self, request, obj, message)

    def log_deletions(self, request, queryset):
        pass

    # -- refusals shown

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change, **kwargs)
        refusal = getattr(request, "_admin_refusal", None)
        if refusal is None:
            return form_class
        modeladmin = self

        class RefusedForm(form_class):
            def clean(self):
                data = super().clean()
                for field, messages_ in refusal.errors.items():
                    field = modeladmin.refusal_field(self, field)
                    self.add_error(field if field in self.fields else None, messages_)
                return data

        return RefusedForm

    def refusal_field(self, form, field):
        """The form field that shows a refusal keyed `field` (None: above the form)."""
        return field

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "GET" and object_id and self.has_change_permission(request):
            obj = self.get_object(request, unquote(object_id))
            message = self.locked_message(obj) if obj is not None else ""
            if message and message not in [m.message for m in messages.get_messages(request)]:
                self.message_user(request, message, messages.WARNING)
        # Not inside one transaction around the whole view, as Django's changeform_view is:
        # here the service's call is the one write (save_related writes nothing else), it is
        # its own transaction, and what a service keeps of a refused attempt (an audit entry of
        # an ID number held beyond the user's reach) must not be rolled back with it.
        try:
            return self._changeform_view(request, object_id, form_url, extra_context)
        except AdminRefused as refusal:
            # The service wrote nothing; show the form again, as posted, with the reason.
            request._admin_refusal = refusal
            return self._changeform_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is not None and self.has_delete_permission(request, obj):
            reason = self.delete_refusal(request, obj)
            if reason:
                return self._refused_delete(request, obj, [reason])
        try:
            return super().delete_view(request, object_id, extra_context)
        except AdminRefused as refusal:
            return self._refused_delete(request, obj, refusal.messages)

    def _refused_delete(self, request, obj, reasons):
        for reason in reasons:
            self.message_user(request, reason, messages.ERROR)
        info = self.opts.app_label, self.opts.model_name
        if self.has_view_or_change_permission(request, obj):
            url = reverse(f"admin:{info[0]}_{info[1]}_change", args=[obj.pk])
        else:
            url = reverse(f"admin:{info[0]}_{info[1]}_changelist")
        return HttpResponseRedirect(url)

    def changelist_view(self, request, extra_context=None):
        try:
            return super().changelist_view(request, extra_context)
        except AdminRefused as refusal:
            for reason in refusal.messages:
                self.message_user(request, reason, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            actions["delete_selected"] = (
                ServiceAdmin.delete_selected_checked,
                "delete_selected",
                actions["delete_selected"][2],
            )
        return actions

    @admin.action(permissions=["delete"])  # shown under Django's own name (get_actions)
    def delete_selected_checked(self, request, queryset):
        """Django's bulk delete, after asking each selected record whether it may go: a refusal
        is shown on the list before any confirmation page, and nothing is deleted."""
        reasons = []
        for obj in queryset:
            reason = self.delete_refusal(request, obj)
            if reason and reason not in reasons:
                reasons.append(reason)
        if reasons:
            for reason in reasons:
                self.message_user(request, reason, messages.ERROR)
            return None
        return delete_selected(self, request, queryset)
