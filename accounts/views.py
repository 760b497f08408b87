"""A person's own account settings that allauth does not cover: their language."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from accounts.forms import LanguageForm


@login_required
def language_settings(request):
    """Choose the language Upturn speaks to you in, everywhere (blank: each
    organisation's own)."""
    form = LanguageForm(
        request.POST if request.method == "POST" else None,
        initial={"language": request.user.language},
    )
    back = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    if request.method == "POST" and form.is_valid():
        request.user.language = form.cleaned_data["language"]
        request.user.save(update_fields=["language"])
        # The next page (a redirect) is drawn in the new language by the middleware; this
        # message too, as it is rendered there.
        messages.success(request, _("Your language is saved."))
        return redirect(back or "account_language")
    return render(request, "account/language.html", {"form": form, "next": back})
