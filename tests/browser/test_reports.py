"""The sous-préfet's journey: signs in, opens the roadmap of the Clefop, asks for the progress report, follows the job
page and downloads the PDF; a member of another territory gets 404. axe-core finds no violation on each page."""

import pytest

from srefop_portal.common.pdf import pdf_info, pdf_text
from tests.accounts.factories import UserFactory
from tests.browser.conftest import assert_accessible, assert_no_console_errors, login
from tests.clefop.factories import MembershipFactory, clefop
from tests.roadmaps.report_fixtures import nantes_roadmap

pytestmark = pytest.mark.browser


def test_sous_prefet_asks_for_and_downloads_the_report(page, tmp_path):
    roadmap = nantes_roadmap()  # its co-chair is sp-44-nan@exemple.fr, « Sous-préfète »
    base = page.base_url

    login(page, "sp-44-nan@exemple.fr")
    page.goto(base + roadmap.get_absolute_url())
    assert_accessible(page)
    page.get_by_role("link", name="Rapport d’avancement (PDF)").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Rapport d’avancement — Clefop Nantes").is_visible()
    assert "Aucun rapport produit pour l’instant." in page.content()
    assert_accessible(page)

    page.get_by_role("button", name="Produire le rapport").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Rapport d’avancement du territoire").is_visible()
    link = page.get_by_role("link", name="Télécharger rapport-avancement-44-nan")
    link.wait_for(timeout=60_000)  # the progress bar (HTMX) is replaced by the link when the job is done
    assert_accessible(page)
    with page.expect_download() as download_info:
        link.click()
    path = tmp_path / "rapport.pdf"
    download_info.value.save_as(path)
    content = path.read_bytes()
    assert pdf_info(content)["Tagged"] == "yes"
    assert "Job dating trimestriel" in pdf_text(content)

    # The report page now lists it.
    page.goto(base + f"/instances/{clefop().slug}/feuille-de-route/rapport/")
    assert "Télécharger rapport-avancement-44-nan" in page.content()
    assert_accessible(page)
    assert_no_console_errors(page)
    job_url = page.get_by_role("link", name="Terminé").get_attribute("href")

    # A member of another territory: 404 on the request page and on the job page.
    page.context.clear_cookies()
    other = UserFactory(email="membre-angers@exemple.fr")
    MembershipFactory(user=other, body=clefop("49-ANG"))
    login(page, other.email)
    response = page.goto(base + f"/instances/{clefop().slug}/feuille-de-route/rapport/")
    assert response.status == 404
    response = page.goto(base + job_url)
    assert response.status == 404
