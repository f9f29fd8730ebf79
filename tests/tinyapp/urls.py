from django.http import HttpResponse
from django.urls import path

app_name = "tinyapp"


def index(request):
    return HttpResponse("小应用首页")


urlpatterns = [path("", index, name="index")]
