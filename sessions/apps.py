from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MentoringSessionsConfig(AppConfig):
    name = "sessions"
    # "sessions" is django.contrib.sessions' label; ours must differ.
    label = "mentoring"
    verbose_name = _("Mentoring sessions")

    def ready(self) -> None:
        from notifications.outbox import register_handler
        from sessions import circle_invites, conversation, emails, notices, partner_news

        notices.register()
        partner_news.register()
        conversation.register()
        circle_invites.register()
        register_handler(emails.OUTBOX_KIND, emails.session_invites_deliver)
