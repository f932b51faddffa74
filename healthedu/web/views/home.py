from django.shortcuts import redirect, render

from healthedu.web.access import reader_page


@reader_page
def home(request):
    if request.user.is_leader:
        return redirect("web:dashboard")
    return render(request, "web/home.html", {})
