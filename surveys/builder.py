"""Writes of the survey builder: placing and moving questions, removing a schedule."""

from django.db import transaction

from surveys.models import Assignment, Question, Schedule


@transaction.atomic
def question_place(*, question: Question) -> None:
    """Save a new question after the last one of its section (else at the end) and number
    the survey's questions 0, 1, 2… again."""
    order = list(Question.objects.select_for_update().filter(survey_id=question.survey_id))
    same_section = [i for i, q in enumerate(order) if q.section == question.section]
    at = same_section[-1] + 1 if same_section else len(order)
    question.position = at
    question.save()
    order.insert(at, question)
    _renumber(order)


@transaction.atomic
def question_move(*, question: Question, step: int) -> bool:
    """Swap the question with its neighbour above (-1) or below (+1); False at either end."""
    order = list(Question.objects.select_for_update().filter(survey_id=question.survey_id))
    at = next(i for i, q in enumerate(order) if q.pk == question.pk)
    to = at + step
    if not 0 <= to < len(order):
        return False
    order[at], order[to] = order[to], order[at]
    _renumber(order)
    return True


def _renumber(order: list[Question]) -> None:
    changed = []
    for position, question in enumerate(order):
        if question.position != position:
            question.position = position
            changed.append(question)
    Question.objects.bulk_update(changed, ["position"])


@transaction.atomic
def schedule_delete(*, schedule: Schedule) -> bool:
    """Delete a schedule nobody has answered; False if someone has. The assignments are
    locked first, so an answer being submitted either lands before (and we refuse) or
    finds its assignment gone (and is refused), never recorded against a deleted schedule."""
    answered = [
        answered
        for (answered,) in Assignment.objects.select_for_update()
        .filter(schedule=schedule)
        .values_list("answered")
    ]
    if any(answered):
        return False
    schedule.delete()
    return True


@transaction.atomic
def question_delete(*, question: Question) -> None:
    survey_id = question.survey_id
    question.delete()
    _renumber(list(Question.objects.filter(survey_id=survey_id)))
