from django.contrib.auth import views as auth_views
from django.urls import path

from . import views

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new, name="new"),
    path("open/", views.open_config, name="open"),
    path("timeline/new/", views.new_timeline, name="new_timeline"),
    path("frame/", views.frame, name="frame"),
    path("look/<slug:look>/choices.jpg", views.look_choices, name="look_choices"),
    path("render/<slug:name>/", views.detail, name="detail"),
    path("render/<slug:name>/status.json", views.status, name="status"),
    path("render/<slug:name>/do/<slug:what>/", views.action, name="action"),
    path("render/<slug:name>/file/<path:path>", views.files, name="file"),
    path("render/<slug:name>/to_paint.zip", views.to_paint_zip, name="to_paint_zip"),
    path("login/", auth_views.LoginView.as_view(template_name="studio/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(next_page="/login/"), name="logout"),
]
handler404 = "paintflow.studio.views.not_found"
handler500 = "paintflow.studio.views.server_error"
