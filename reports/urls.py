"""This app's routes: API viewsets registered on the shared router, extra API paths, pages."""

from django.urls import path

from reports import api


def register(router) -> None:
    router.register("reports/locks", api.PeriodLockViewSet, basename="period-lock")


api_urlpatterns: list = [
    path("reports/ledgers/", api.LedgerRequestView.as_view(), name="report-ledgers"),
    path("reports/summaries/", api.SummaryRequestView.as_view(), name="report-summaries"),
    path("reports/summary/", api.SummaryView.as_view(), name="report-summary"),
    path("reports/progress/", api.ProgressView.as_view(), name="report-progress"),
    path("reports/ledger-checks/", api.LedgerChecksView.as_view(), name="report-ledger-checks"),
    path("reports/finalise/", api.FinaliseView.as_view(), name="report-finalise"),
    path("reports/unlock/", api.UnlockView.as_view(), name="report-unlock"),
]
urlpatterns: list = []
