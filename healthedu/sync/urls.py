"""This app's routes: the sync endpoint."""

from django.urls import path

from healthedu.sync.api import SyncView


def register(router) -> None:
    pass


api_urlpatterns = [path("sync/", SyncView.as_view(), name="sync")]
urlpatterns: list = []
