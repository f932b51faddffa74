from residents.api import ResidentViewSet


def register(router) -> None:
    router.register("residents", ResidentViewSet, basename="resident")


api_urlpatterns: list = []
urlpatterns: list = []
