"""Form widgets shared by the apps."""

from pathlib import PurePosixPath

from django import forms


class _StoredFile:
    """The uploaded file as the widget shows it: its name, linked to our download view."""

    def __init__(self, name: str, url: str):
        self.name, self.url = name, url

    def __str__(self) -> str:
        return PurePosixPath(self.name).name


class StoredFileInput(forms.ClearableFileInput):
    """Links the current file to ``download_url`` rather than to /media/, which nothing
    serves: every upload is its organisation's own, downloaded through a view that checks
    who may have it."""

    download_url = ""

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        if context["widget"]["is_initial"] and self.download_url:
            context["widget"]["value"] = _StoredFile(value.name, self.download_url)
        return context
