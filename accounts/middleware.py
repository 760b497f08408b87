from django.utils import translation


class PersonLanguageMiddleware:
    """A signed-in person who chose a language reads every page in it, their account
    pages included (organisation pages: organizations.middleware, which also falls back
    to the organisation's). Before sign-in, LocaleMiddleware's choice (the browser's)
    stands."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)
