"""This app's routes: API viewsets registered on the shared router, extra API paths, pages."""


def register(router) -> None:
    pass


api_urlpatterns: list = []
urlpatterns: list = []
