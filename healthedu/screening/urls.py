"""This app's routes: API viewsets registered on the shared router, extra API paths, pages."""

from healthedu.screening.api import BPReadingViewSet, ReferralViewSet


def register(router) -> None:
    router.register("bp-readings", BPReadingViewSet, basename="bp-reading")
    router.register("referrals", ReferralViewSet, basename="referral")


api_urlpatterns: list = []
urlpatterns: list = []
