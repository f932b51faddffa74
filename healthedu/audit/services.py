"""Writing to the audit log. Callers pass field names only, never values."""

from collections.abc import Iterable

from healthedu.audit.models import Action, AuditEntry


def audit_record(
    *,
    user,
    action: str,
    obj=None,
    model: str = "",
    object_id="",
    fields: Iterable[str] = (),
    note: str = "",
    repr_: str | None = None,
) -> AuditEntry:
    if obj is not None:
        model = model or obj._meta.label
        object_id = object_id or obj.pk
        repr_ = repr_ if repr_ is not None else _safe_repr(obj)
    return AuditEntry.objects.create(
        user=user if user is not None and getattr(user, "is_authenticated", False) else None,
        action=action,
        model=model,
        object_id=str(object_id),
        object_repr=(repr_ or "")[:200],
        fields=sorted(set(fields)),
        note=note,
    )


def _safe_repr(obj) -> str:
    # Models holding personal data define audit_repr() so that the log shows no ID or phone.
    audit_repr = getattr(obj, "audit_repr", None)
    return audit_repr() if callable(audit_repr) else str(obj)


def changed_fields(instance, data: dict) -> list[str]:
    """Names of the fields in `data` whose value differs from the instance's."""
    changed = []
    for name, value in data.items():
        current = getattr(instance, name, None)
        if hasattr(current, "all") and callable(current.all) or current != value:  # many-to-many
            changed.append(name)
    return changed


__all__ = ["Action", "audit_record", "changed_fields"]
