"""This app's routes: API viewsets registered on the shared router, extra API paths, pages."""

from django.urls import path

from healthedu.activities.api import CalendarTokenView, EventViewSet, SeriesViewSet
from healthedu.activities.feeds import calendar_feed
from healthedu.activities.qr import EventQrView
from healthedu.activities.views import signin_page

app_name = "activities"


def register(router) -> None:
    router.register("events", EventViewSet, basename="event")
    router.register("event-series", SeriesViewSet, basename="event-series")


api_urlpatterns: list = [
    path("events/<int:pk>/qr.<str:fmt>", EventQrView.as_view(), name="event-qr"),
    path("calendar/token/", CalendarTokenView.as_view(), name="calendar-token"),
]

# Public pages: the secret token in the path is the key (no login).
_pages = [
    path("s/<str:token>/", signin_page, name="signin"),
    path("calendar/<str:token>.ics", calendar_feed, name="calendar"),
]
urlpatterns: list = [path("", (_pages, "activities", "activities"))]
