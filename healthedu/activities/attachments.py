"""Attachments of an activity (sign-in sheet scans, photos, documents): type by content, size, storage."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from healthedu.activities.models import Attachment, Event
from healthedu.audit.services import Action, audit_record
from healthedu.locking import ensure_period_open

# The first bytes tell the type; the name and the declared content type are not trusted.
SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"%PDF-", "application/pdf", ".pdf"),
)


def sniff_type(head: bytes) -> tuple[str, str] | None:
    for signature, content_type, extension in SIGNATURES:
        if head.startswith(signature):
            return content_type, extension
    return None


def max_attachment_bytes() -> int:
    return settings.UPLOAD_MAX_BYTES


@transaction.atomic
def attachment_add(*, user, event: Event, upload, category: str) -> Attachment:
    limit = max_attachment_bytes()
    if upload.size > limit:
        raise ValidationError(
            {
                "file": [
                    _("The file is too large (at most %(mb)d MB).")
                    % {"mb": limit // (1024 * 1024) or 1}
                ]
            }
        )
    if upload.size == 0:
        raise ValidationError({"file": [_("The file is empty.")]})
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    sniffed = sniff_type(head)
    if sniffed is None:
        raise ValidationError(
            {"file": [_("Only JPEG or PNG photos and PDF documents can be attached.")]}
        )
    ensure_period_open(event.community_id, event.starts_at)
    content_type, _extension = sniffed
    attachment = Attachment(
        event=event,
        category=category,
        original_name=(upload.name or "file")[-200:],
        content_type=content_type,
        size=upload.size,
        uploaded_by=user if getattr(user, "is_authenticated", False) else None,
    )
    attachment.file.save("upload", upload, save=False)
    attachment.save()
    audit_record(user=user, action=Action.CREATE, obj=attachment, fields=["file", "category"])
    return attachment


@transaction.atomic
def attachment_delete(*, user, attachment: Attachment) -> None:
    ensure_period_open(attachment.event.community_id, attachment.event.starts_at)
    audit_record(user=user, action=Action.DELETE, obj=attachment)
    storage, name = attachment.file.storage, attachment.file.name
    attachment.delete()
    # Remove the file only once the row is surely gone.
    transaction.on_commit(lambda: storage.delete(name))
