from django import template

from organizations.languages import in_sentence as in_sentence_case

register = template.Library()


@register.filter
def in_sentence(label) -> str:
    """``{{ role|in_sentence }}``: a label inside a sentence, lower-cased unless the
    language capitalises nouns (German)."""
    return in_sentence_case(label)
