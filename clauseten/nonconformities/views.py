from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def register(request):
    return HttpResponse("register: to be built")


@login_required
def my_work(request):
    return HttpResponse("my work: to be built")


@login_required
def report(request):
    return HttpResponse("report: to be built")
