from django.urls import include, path

from healthedu.web.views import (
    activities,
    auth,
    dashboard,
    desk,
    home,
    jobs,
    language,
    leader,
    ledger,
    residents,
    screening,
    surveys,
)

app_name = "web"


def register(router) -> None:
    pass


api_urlpatterns: list = []
web_patterns = [
    path("", home.home, name="home"),
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    path("language/", language.set_language, name="set_language"),
    path("dashboard/", dashboard.dashboard, name="dashboard"),
    path("dashboard/summary/", dashboard.summary_download, name="summary_download"),
    # The leader's menu (read-only)
    path("dashboard/ledgers/", leader.ledgers, name="leader_ledgers"),
    path("dashboard/ledgers/<int:pk>/", leader.community_ledgers, name="leader_community_ledgers"),
    path("dashboard/progress/", leader.progress, name="leader_progress"),
    path("dashboard/progress/<int:pk>/", leader.progress, name="leader_community_progress"),
    path("jobs/<uuid:pk>/", jobs.job_page, name="job"),
    # Residents
    path("residents/", residents.resident_list, name="residents"),
    path("residents/new/", residents.resident_create_page, name="resident_create"),
    path("residents/<int:pk>/", residents.resident_edit_page, name="resident_edit"),
    path("residents/history/<int:pk>/", residents.resident_page, name="resident"),
    path("residents/<int:pk>/delete/", residents.resident_delete_page, name="resident_delete"),
    path("residents/import/", residents.resident_import_page, name="resident_import"),
    # Activities
    path("activities/", activities.activity_calendar, name="activities"),
    path("activities/list/", activities.activity_list, name="activity_list"),
    path(
        "activities/calendar-link/",
        activities.activity_calendar_link,
        name="activity_calendar_link",
    ),
    path("activities/new/", activities.activity_create, name="activity_create"),
    path("activities/<int:pk>/", activities.activity_detail, name="activity"),
    path("activities/<int:pk>/edit/", activities.activity_edit, name="activity_edit"),
    path("activities/<int:pk>/qr/", activities.activity_qr, name="activity_qr"),
    path("activities/<int:pk>/check-in/", activities.activity_check_in, name="activity_check_in"),
    path(
        "activities/<int:pk>/check-out/<int:resident_id>/",
        activities.activity_check_out,
        name="activity_check_out",
    ),
    # The screening desk (works offline; its service worker is served from the root)
    path("activities/<int:pk>/desk/", desk.desk_page, name="desk"),
    path("activities/<int:pk>/desk/data/", desk.desk_data, name="desk_data"),
    path("activities/<int:pk>/desk/find-id/", desk.desk_find_id, name="desk_find_id"),
    path("activities/<int:pk>/desk/manifest.webmanifest", desk.desk_manifest, name="desk_manifest"),
    path("desk-sw.js", desk.desk_worker, name="desk_worker"),
    path("activities/<int:pk>/walk-in/", activities.activity_walk_in, name="activity_walk_in"),
    path("activities/<int:pk>/attach/", activities.activity_attach, name="activity_attach"),
    path(
        "activities/<int:pk>/cancel-repeat/",
        activities.activity_series_cancel,
        name="activity_series_cancel",
    ),
    # Blood pressure
    path("bp/", screening.screening_list, name="bp"),
    path("bp/screenings/<int:pk>/", screening.screening_entry, name="bp_entry"),
    path("bp/referrals/", screening.referral_list, name="referrals"),
    path(
        "bp/referrals/<int:pk>/follow-up/",
        screening.referral_follow_up_page,
        name="referral_follow_up",
    ),
    path(
        "bp/referrals/<int:pk>/reveal-phone/",
        screening.referral_reveal_phone_page,
        name="referral_reveal_phone",
    ),
    # Surveys
    path("surveys/", surveys.survey_list, name="surveys"),
    path("surveys/new/", surveys.survey_build, name="survey_build"),
    path("surveys/<int:pk>/", surveys.survey_detail, name="survey"),
    path("surveys/<int:pk>/respond/", surveys.survey_respond, name="survey_respond"),
    path("surveys/<int:pk>/import/", surveys.survey_import, name="survey_import"),
    path("surveys/<int:pk>/rates/", surveys.survey_rates, name="survey_rates"),
    # Ledger
    path("ledger/", ledger.ledger_page, name="ledger"),
    path("ledger/make/", ledger.ledger_make, name="ledger_make"),
    path("ledger/finalise/", ledger.ledger_finalise, name="ledger_finalise"),
    path("ledger/unlock/", ledger.ledger_unlock, name="ledger_unlock"),
]
urlpatterns = [path("", include((web_patterns, "web")))]
