"""The API's query parameters: a value that cannot be read is refused (400, naming the
parameter), never ignored.

Left to themselves, django-filter and DRF let some through as if they had not been given:
a boolean filter reads anything but true or false as "no filter", an empty value is
skipped, a number filter takes any decimal (level=3.7 then matches nobody), and int()
takes other scripts' digits and underscores (int("1_000")). A client that mistypes a
parameter would get an answer to another question. The filter backend
(DjangoFilterBackend, raise_exception on) answers 400 for a form that does not validate;
these pieces make the forms refuse what they cannot read, and state their limits in the
schema.
"""

import re

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.drainage import set_override
from rest_framework import serializers

_WHOLE_NUMBER = re.compile(r"-?[0-9]+", re.ASCII)
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


def _not_a_whole_number(value) -> str:
    return _("“%(value)s” is not a whole number written with the digits 0 to 9.") % {"value": value}


def _given_empty() -> str:
    return _("Give a value, or leave the parameter out.")


class WholeNumberField(forms.IntegerField):
    """A whole number in ASCII digits: not 3.0, not 1_000, not ٣."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = str(value).strip()
        if not _WHOLE_NUMBER.fullmatch(text):
            raise ValidationError(_not_a_whole_number(value), code="invalid")
        return int(text)


class WholeNumberFilter(django_filters.NumberFilter):
    """A whole number, within ``min_value`` and ``max_value`` when given (stated in the
    schema as the integer's minimum and maximum)."""

    field_class = WholeNumberField

    def __init__(self, *args, min_value: int | None = None, max_value: int | None = None, **kw):
        bounds = {"min_value": min_value, "max_value": max_value}
        super().__init__(*args, **{k: v for k, v in bounds.items() if v is not None}, **kw)
        schema = {"type": "integer"}
        if min_value is not None:
            schema["minimum"] = min_value
        if max_value is not None:
            schema["maximum"] = max_value
        set_override(self, "field", schema)

    def get_max_validator(self):
        return None  # the bounds are the field's own


class IdFilter(WholeNumberFilter):
    """An object's id: a whole number from 1."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        super().__init__(*args, **kwargs)


class StrictBooleanField(forms.Field):
    """true or false (1 or 0), in any case; anything else is refused, not read as "no
    filter" as django-filter's boolean widget reads it."""

    widget = forms.TextInput

    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = str(value).strip().lower()
        if text in ("true", "1"):
            return True
        if text in ("false", "0"):
            return False
        raise ValidationError(
            _("“%(value)s” is not true or false.") % {"value": value}, code="invalid"
        )


class BooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class _RefuseEmpty:
    """A parameter given with no value (``?updated_since=``) is refused, except a text
    one (an empty search is no search): every other filter would skip it silently."""

    def clean(self):
        cleaned = super().clean()
        for name, field in self.fields.items():
            if name in self.errors or name not in self.data or isinstance(field, forms.CharField):
                continue
            if not str(self.data.get(name, "")).strip():
                self.add_error(name, _given_empty())
        return cleaned


class FilterSet(django_filters.FilterSet):
    """The API's filter sets: every parameter read exactly, or a 400 naming it."""

    def get_form_class(self):
        form_class = super().get_form_class()
        return type(form_class.__name__, (_RefuseEmpty, form_class), {})


# --- Query parameters read by a serializer (views without a filter set) -----------------


class _RefuseEmptyParameter:
    """Given with no value, the parameter is refused: DRF skips an empty query value of a
    field that is not required, as if the parameter were not there."""

    def get_value(self, dictionary):
        if self.field_name in dictionary and not str(dictionary.get(self.field_name)).strip():
            return ""
        return super().get_value(dictionary)


class WholeNumberParameter(_RefuseEmptyParameter, serializers.IntegerField):
    def to_internal_value(self, data):
        text = str(data).strip()
        if not text:
            raise serializers.ValidationError(_given_empty())
        if not _WHOLE_NUMBER.fullmatch(text):
            raise serializers.ValidationError(_not_a_whole_number(data))
        return super().to_internal_value(text)


class DateParameter(_RefuseEmptyParameter, serializers.DateField):
    """A day written YYYY-MM-DD exactly: DRF's ISO 8601 parsing also takes 20240401 and
    week dates such as 2024-W14-1."""

    def to_internal_value(self, value):
        text = str(value).strip()
        if not text:
            raise serializers.ValidationError(_given_empty())
        if not _ISO_DATE.fullmatch(text):
            raise serializers.ValidationError(
                _("“%(value)s” is not a date as YYYY-MM-DD.") % {"value": value}
            )
        return super().to_internal_value(text)
