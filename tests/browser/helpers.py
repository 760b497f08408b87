from contextlib import contextmanager

from tests.accounts.factories import PASSWORD


def sign_in(page, email: str, password: str) -> None:
    """The email first (an address of a single sign-on domain would go to its identity
    provider), then the password."""
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


@contextmanager
def signed_in(chromium, live_server, email: str, password: str = PASSWORD):
    """A browser of one's own, signed in as ``email``."""
    context = chromium.new_context(
        base_url=live_server.url, viewport={"width": 1280, "height": 800}
    )
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        sign_in(page, email, password)
        page.wait_for_url("**/o/acme/")
        yield page
    finally:
        context.close()


def open_pair_page(page, program: str, partner: str) -> None:
    """From the organisation's home to the pair's workspace, as a participant gets there."""
    page.get_by_role("navigation", name="Organisation").get_by_role(
        "link", name="My programs"
    ).click()
    page.get_by_role("link", name=program, exact=True).click()
    page.get_by_role("heading", name=program).wait_for()
    page.get_by_role("link", name="Open your pair's page").click()
    page.get_by_role("heading", name=f"You and {partner}").wait_for()
