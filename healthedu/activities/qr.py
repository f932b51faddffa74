"""The sign-in QR code of an activity, made on the server (PNG for printing, SVG for screens)."""

import io

import qrcode
import qrcode.image.svg
from django.http import Http404, HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework.views import APIView

from healthedu.activities.models import Event


def qr_image(text: str, fmt: str) -> tuple[bytes, str]:
    buffer = io.BytesIO()
    if fmt == "svg":
        image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=10)
        image.save(buffer)
        return buffer.getvalue(), "image/svg+xml"
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=10, border=4)
    code.add_data(text)
    code.make(fit=True)
    code.make_image().save(buffer, format="PNG")
    return buffer.getvalue(), "image/png"


class EventQrView(APIView):
    """GET /api/events/{id}/qr.png or qr.svg: the code of the activity's public sign-in link."""

    @extend_schema(responses={(200, "image/png"): bytes, (200, "image/svg+xml"): bytes})
    def get(self, request, pk: int, fmt: str):
        if fmt not in ("png", "svg"):
            raise Http404
        event = Event.objects.in_reach(request.user).filter(pk=pk).first()
        if event is None:
            raise Http404
        from healthedu.activities.signin import signin_url

        content, content_type = qr_image(signin_url(request, event), fmt)
        response = HttpResponse(content, content_type=content_type)
        response["Cache-Control"] = "private, max-age=300"
        return response
