from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from . import services
from .models import ApiToken, User


class TokenForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What the token is for, e.g. 'Jira sync'.")


class DigestForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["digest"]
        labels = {"digest": "Reminders"}


@login_required
def profile(request):
    form = DigestForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        services.user_set_digest(user=request.user, digest=form.cleaned_data["digest"])
        messages.success(request, "Saved.")
        return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form})


@login_required
def tokens(request):
    form = TokenForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        _, secret = services.api_token_create(user=request.user, name=form.cleaned_data["name"])
        form = TokenForm()
    rows = ApiToken.objects.filter(user=request.user)
    return render(request, "accounts/tokens.html", {"form": form, "tokens": rows, "secret": secret})


@login_required
@require_POST
def token_revoke(request, token_id: int):
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    services.api_token_revoke(user=request.user, token=token)
    messages.success(request, f"Token '{token.name}' revoked.")
    return redirect("accounts:tokens")
