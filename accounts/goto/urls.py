from allauth.socialaccount.providers.oauth2.urls import default_urlpatterns

from accounts.goto.provider import GoToProvider

urlpatterns = default_urlpatterns(GoToProvider)
