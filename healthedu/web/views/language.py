"""The language switch (中文 / English) on every page. Before sign-in the choice is remembered
by Django's language cookie (LocaleMiddleware reads it); signed in, it is stored on the user as
well, and brought back at each sign-in, on any browser."""

from django.conf import settings
from django.utils import translation
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language


def language_known(code: str | None) -> bool:
    return bool(code) and code in dict(settings.LANGUAGES)


def remember_language(response, code: str):
    """Set the language cookie as Django's set_language does."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


@require_POST
def set_language(request):
    """Django's set_language (the cookie, back to `next` if it is ours), and for a signed-in user
    the choice stored on the account."""
    response = django_set_language(request)
    code = request.POST.get("language")
    user = request.user
    if language_known(code) and user.is_authenticated and user.language != code:
        user.language = code
        user.save(update_fields=["language"])
    return response


def language_at_sign_in(request, user, response):
    """At sign-in: the language stored on the user comes back (cookie and this response); a user
    who never chose one keeps the one chosen on the sign-in page, which is then stored."""
    if language_known(user.language):
        translation.activate(user.language)
        return remember_language(response, user.language)
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if language_known(chosen):
        user.language = chosen
        user.save(update_fields=["language"])
    return response
