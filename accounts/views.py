import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from core.http import read_only

from .data import delete_account, export_data
from .forms import DeleteAccountForm, DisplayNameForm


@read_only
@login_required
def account(request):
    """The reader's account page: name, email and password links, export, deletion."""
    name_form = DisplayNameForm(
        initial={"display_name": request.user.display_name}, user=request.user
    )
    return render(request, "accounts/account.html", {"name_form": name_form})


@login_required
@require_POST
def change_display_name(request):
    form = DisplayNameForm(request.POST, user=request.user)
    if form.is_valid():
        request.user.display_name = form.cleaned_data["display_name"]
        request.user.save(update_fields=["display_name"])
        messages.success(request, "Your display name is saved.")
        return redirect("accounts:account")
    return render(request, "accounts/account.html", {"name_form": form}, status=400)


@login_required
@require_POST
def change_notifications(request):
    request.user.notify_replies = request.POST.get("notify_replies") == "on"
    request.user.save(update_fields=["notify_replies"])
    if request.user.notify_replies:
        messages.success(request, "You will get an email when someone replies to your comments.")
    else:
        messages.success(request, "You will not get emails about replies.")
    return redirect("accounts:account")


@read_only
@login_required
def export(request):
    """Download all the reader's data as a JSON file."""
    data = export_data(request.user)
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json"
    )
    stamp = timezone.now().strftime("%Y-%m-%d")
    response["Content-Disposition"] = f'attachment; filename="advice-data-{stamp}.json"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def delete(request):
    """Delete the account after the reader confirms with their password."""
    # Bound on every POST, even an empty one, so a missing password is an error shown.
    data = request.POST if request.method == "POST" else None
    form = DeleteAccountForm(data, user=request.user)
    if request.method == "POST" and form.is_valid():
        user = request.user
        logout(request)
        delete_account(user)
        messages.success(request, "Your account and everything in it has been deleted.")
        return redirect("pages:list")
    status = 400 if request.method == "POST" else 200
    return render(request, "accounts/delete.html", {"form": form}, status=status)
