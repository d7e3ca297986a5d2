"""The portal's URLs plus ``bench/trivial/``: the baseline every page is compared with."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from portal.permissions import ADMIN, role_required


@role_required(*ADMIN)
def trivial(request: HttpRequest) -> HttpResponse:
    """A signed-in Admin's request through the whole middleware stack, and no work at all."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("bench/trivial/", trivial, name="bench_trivial"),
    path("", include("portal.urls")),
]
