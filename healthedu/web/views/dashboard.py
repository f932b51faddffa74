"""The leaders' dashboard: read-only, across the communities in reach."""

from django.shortcuts import render

from healthedu.web.access import communities_in_reach, reader_page


@reader_page
def dashboard(request):
    return render(
        request,
        "web/dashboard/index.html",
        {"section": "dashboard", "communities": communities_in_reach(request.user)},
    )
