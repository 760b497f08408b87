"""A program's training modules, resources and application questions: add, change,
remove (after a confirmation). One view serves the three, told apart by ``KINDS``.
And the files of modules and resources, for the program's staff and participants
(``programs.selectors.program_material`` decides, by the same rule for staff)."""

import mimetypes
from dataclasses import dataclass
from pathlib import PurePosixPath

from django import forms
from django.contrib import messages
from django.db import models
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from organizations.decorators import permission_required
from organizations.http import posted
from programs.decorators import program_permission_required
from programs.forms import QuestionForm, ResourceForm, TrainingModuleForm
from programs.models import ProgramQuestion, Resource, TrainingModule
from programs.selectors import program_material


@dataclass(frozen=True)
class Kind:
    model: type[models.Model]
    form: type[forms.ModelForm]
    # Whole sentences per kind, not "New %(kind)s": the adjective agrees with the noun
    # (nouveau module, nouvelle ressource; neues Modul, neue Ressource).
    new_title: str
    removal_note: str


KINDS = {
    "training": Kind(
        TrainingModule,
        TrainingModuleForm,
        gettext_lazy("New training module"),
        gettext_lazy(
            "The training module is removed from the program, with anything recorded against it."
        ),
    ),
    "resource": Kind(
        Resource,
        ResourceForm,
        gettext_lazy("New resource"),
        gettext_lazy(
            "The resource is removed from the program, with anything recorded against it."
        ),
    ),
    "question": Kind(
        ProgramQuestion,
        QuestionForm,
        gettext_lazy("New application question"),
        gettext_lazy(
            "The application question is removed from the program, with anything recorded "
            "against it."
        ),
    ),
}


def _edit(request, org_slug, program_id, kind_name, item_id=None):
    kind = KINDS[kind_name]
    program = request.program
    item = (
        get_object_or_404(kind.model, pk=item_id, program=program)
        if item_id
        else kind.model(organization=request.organization, program=program)
    )
    back = redirect("programs:detail", org_slug=org_slug, program_id=program.pk)
    if request.method == "POST" and request.POST.get("action") == "delete" and item.pk:
        item.delete()
        messages.success(request, _("Removed “%(item)s”.") % {"item": item})
        return back
    form = kind.form(posted(request), request.FILES or None, instance=item)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Saved “%(item)s”.") % {"item": form.instance})
        return back
    context = {"program": program, "form": form, "item": item, "kind": kind}
    return render(request, "programs/content_form.html", context)


@program_permission_required("program.manage")
def training_edit(request, org_slug, program_id, module_id=None):
    return _edit(request, org_slug, program_id, "training", module_id)


@program_permission_required("program.manage")
def resource_edit(request, org_slug, program_id, resource_id=None):
    return _edit(request, org_slug, program_id, "resource", resource_id)


@program_permission_required("program.manage")
def question_edit(request, org_slug, program_id, question_id=None):
    return _edit(request, org_slug, program_id, "question", question_id)


def _download(request, model, program_id, item_id):
    """An uploaded file, for those who may read the item (uploads are not public files:
    nothing serves /media/). Anyone else gets 404, as for an item that does not exist."""
    item = get_object_or_404(
        program_material(
            model,
            organization=request.organization,
            membership=request.membership,
            user=request.user,
            program_id=program_id,
        ),
        pk=item_id,
    )
    if not item.file:
        raise Http404
    return _attachment(item.file)


def _attachment(file: FieldFile) -> FileResponse:
    try:
        handle = file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    content_type = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    # As an attachment: an uploaded HTML or SVG file must not run as a page of ours.
    response = FileResponse(
        handle,
        content_type=content_type,
        as_attachment=True,
        filename=PurePosixPath(file.name).name,
    )
    response["Cache-Control"] = "private, max-age=3600"
    return response


@permission_required("program.participate")
def training_file(request, org_slug, program_id, module_id):
    return _download(request, TrainingModule, program_id, module_id)


@permission_required("program.participate")
def resource_file(request, org_slug, program_id, resource_id):
    return _download(request, Resource, program_id, resource_id)
