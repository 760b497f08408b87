import pytest

from tests.browser.helpers import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADER = (
    "employee_number,email,name,department,job_title,job_level,manager_employee_number,hire_date"
)
GOOD_ROWS = [
    "N-1,noor.haddad@acme.example,Noor Haddad,Engineering,Platform engineer,3,N-2,2025-09-01",
    "N-2,ravi.menon@acme.example,Ravi Menon,Engineering,Engineering manager,6,,2019-02-11",
]
BAD_ROWS = [
    "N-3,quinn@acme.example,Quinn Doe,Engineering,Developer,2,N-404,2025-10-01",
    "N-4,sol@acme.example,Sol Ray,Engineering,Developer,two,N-2,2025-10-01",
]


def _write(tmp_path, name, rows):
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def test_admin_fixes_a_rejected_file_applies_it_and_finds_the_new_employee(
    browser_page, demo_data, screenshot, tmp_path
):
    page = browser_page
    sign_in(page, "admin@acme.example", "upturn-demo")
    page.get_by_role("navigation", name="Organisation").get_by_role(
        "link", name="Directory"
    ).click()
    page.get_by_role("link", name="Import the HR file").click()

    page.get_by_label("HR file (CSV)").set_input_files(
        _write(tmp_path, "roster.csv", GOOD_ROWS + BAD_ROWS)
    )
    page.get_by_role("button", name="Check the file").click()
    page.get_by_role("heading", name="Rejected rows").wait_for()
    rejections = page.locator("#import-status table")
    assert "No employee has the number N-404" in rejections.inner_text()
    assert "“two” is not a whole number written with the digits 0 to 9." in rejections.inner_text()
    assert page.get_by_text("2 rows are rejected").is_visible()
    screenshot(page, "directory-import-preview")

    page.get_by_role("link", name="Upload a corrected file").click()
    fixed = [BAD_ROWS[0].replace("N-404", "N-2"), BAD_ROWS[1].replace(",two,", ",2,")]
    page.get_by_label("HR file (CSV)").set_input_files(
        _write(tmp_path, "roster-fixed.csv", GOOD_ROWS + fixed)
    )
    page.get_by_role("button", name="Check the file").click()
    page.get_by_role("button", name="Apply", exact=True).click()
    page.get_by_text("Applied: 4 created, 0 updated.").wait_for()

    page.get_by_role("navigation", name="Organisation").get_by_role(
        "link", name="Directory"
    ).click()
    page.get_by_label("Name, email, employee number or job title").fill("noor")
    page.get_by_role("link", name="Noor Haddad").wait_for()
    assert page.locator("#employee-table tbody tr").count() == 1
    # The export follows what search-as-you-type shows, not the list the page opened with.
    export = page.get_by_role("link", name="Export these as CSV")
    assert "q=noor" in export.get_attribute("href")
    screenshot(page, "directory-search")
    page.get_by_role("link", name="Noor Haddad").click()
    page.get_by_role("link", name="Ravi Menon").wait_for()
    screenshot(page, "directory-employee")
