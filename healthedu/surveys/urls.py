"""This app's routes: API viewsets registered on the shared router, extra API paths, pages."""

from django.urls import path

from healthedu.surveys.api import (
    BankItemViewSet,
    CompareView,
    RatesView,
    SurveyResponseViewSet,
    SurveyViewSet,
    TargetViewSet,
)


def register(router) -> None:
    router.register("surveys", SurveyViewSet, basename="survey")
    router.register("survey-responses", SurveyResponseViewSet, basename="survey-response")
    router.register("item-bank", BankItemViewSet, basename="item-bank")
    router.register("targets", TargetViewSet, basename="target")


api_urlpatterns: list = [
    path("rates/", RatesView.as_view(), name="rates"),
    path("rates/compare/", CompareView.as_view(), name="rates-compare"),
]
urlpatterns: list = []
