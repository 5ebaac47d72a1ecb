from django.http import JsonResponse
from django.shortcuts import render


def home(request):
    return render(request, "home.html", {"shop": "lettings"})


def health(request):
    return JsonResponse({"status": "ok"})
