"""Held anonymous answers are sealed (surveys/sealing.py): the plain payload becomes the
role, the sealed bytes and the id of the key that sealed them. Answers held when this runs
are sealed with the configured public key, then their plain payload is dropped."""

from django.db import migrations, models


def seal_held_answers(apps, schema_editor):
    from surveys import sealing

    HeldResponse = apps.get_model("surveys", "HeldResponse")
    Question = apps.get_model("surveys", "Question")
    ProgramTopic = apps.get_model("programs", "ProgramTopic")
    # A migration runs outside any organisation: the historical manager is unscoped.
    for held in HeldResponse.objects.select_related("schedule__survey").iterator():
        survey = held.schedule.survey
        topics = ProgramTopic.objects.filter(program_id=survey.program_id).count()
        bounds = [
            sealing.answer_bound(question.type, question.choices, topics)
            for question in Question.objects.filter(survey=survey)
        ]
        payload = held.payload
        held.role = payload.get("role", "")
        held.sealed, held.sealed_with = sealing.seal(
            {key: payload.get(key) for key in ("week", "answers", "story_consent")},
            size=sealing.padded_size(bounds),
        )
        held.save(update_fields=["role", "sealed", "sealed_with"])


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0001_initial"),
        ("programs", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="heldresponse",
            name="role",
            field=models.CharField(default="", max_length=10),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="heldresponse",
            name="sealed",
            field=models.BinaryField(default=b""),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="heldresponse",
            name="sealed_with",
            field=models.CharField(default="", max_length=16),
            preserve_default=False,
        ),
        migrations.RunPython(seal_held_answers, migrations.RunPython.noop),
        migrations.RemoveField(model_name="heldresponse", name="payload"),
    ]
