"""The analyst's day in a real browser: Debian's chromium through chromium-driver.

Screen a supplier CSV, open a hit and record a judgement, import a supply package
and screen it, open a shipment and its flow chart, move its case, download the
dossier. Every page is kept as a screenshot under out/browser/ (CI keeps out/ as
artefacts), and the flow chart's boxes are checked not to overlap or cut names.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from flscreen.api import create_app
from flscreen.store import open_store
from tests.api.seed import SAMPLE_SUPPLY, seed_identities, seed_lists
from tests.compat.live import serving

webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is in the dev extra")
from selenium.common.exceptions import WebDriverException  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.remote.webelement import WebElement  # noqa: E402
from selenium.webdriver.support.expected_conditions import staleness_of  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
SHOTS = ROOT / "out" / "browser"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"

pytestmark = pytest.mark.skipif(
    not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()),
    reason="Debian's chromium and chromium-driver are not installed (scripts/setup.sh does it)",
)

SUPPLIERS = """id,name,country
SUP-1,XINJIANG ZHONGTAI CHEMICAL CO LTD,cn
SUP-2,Harbour Light Garments Ltd,vn
SUP-3,霍尼韦尔硅业,cn
"""


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[WebDriver]:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,1000",
        f"--user-data-dir={tempfile.mkdtemp(prefix='flscreen-chromium-')}",
    ):
        options.add_argument(arg)
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    options.add_experimental_option(
        "prefs",
        {
            "download.default_directory": str(downloads),
            "download.prompt_for_download": False,
            "plugins.always_open_pdf_externally": True,
        },
    )
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def base_url(tmp_path: Path) -> Iterator[str]:
    db_url = f"sqlite:///{tmp_path / 'flscreen.db'}"
    store = open_store(db_url)
    seed_lists(store)
    seed_identities(store)
    store.dispose()
    with serving(create_app(db_url, documents_dir=tmp_path / "documents")) as base:
        yield base


def shot(driver: WebDriver, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(SHOTS / f"{name}.png"))


def has_left(page: WebElement) -> bool:
    """Whether `page` (an old document's root) is gone, as the browser may say two ways.

    Chromium answers a query on a node of a document being replaced either with a
    stale-element error or, mid-navigation, with an inspector error ("Node with
    given id does not belong to the document"); both mean the page has been left.
    """
    try:
        return bool(staleness_of(page)(None))
    except WebDriverException as error:
        if "does not belong to the document" in str(error):
            return True
        raise


def click_and_wait(driver: WebDriver, element: WebElement) -> None:
    """Click, then wait until the browser has left the page and loaded the next one."""
    page = driver.find_element(By.TAG_NAME, "html")
    element.click()
    WebDriverWait(driver, 60).until(lambda _: has_left(page))
    WebDriverWait(driver, 60).until(
        lambda d: d.execute_script("return document.readyState") == "complete"
    )


def submit(driver: WebDriver, form_action: str) -> None:
    click_and_wait(
        driver, driver.find_element(By.CSS_SELECTOR, f"form[action^='{form_action}'] button")
    )


def sign_in(driver: WebDriver, base_url: str, username: str) -> None:
    """Through the login form, as a person does (the seeded users' test passwords)."""
    driver.get(f"{base_url}/ui/login")
    driver.find_element(By.NAME, "username").send_keys(username)
    driver.find_element(By.NAME, "password").send_keys(f"{username}-password")
    submit(driver, "/ui/login")
    assert username in driver.find_element(By.TAG_NAME, "body").text


def overlapping_boxes(driver: WebDriver) -> dict[str, object]:
    """Rectangles of the flow chart's nodes that overlap, and labels wider than their box."""
    result: dict[str, object] = driver.execute_script(
        """
        const rects = [...document.querySelectorAll('svg.flowchart g.node')].map(g => {
          const r = g.querySelector('rect').getBoundingClientRect();
          const texts = [...g.querySelectorAll('text')].map(t => t.getBoundingClientRect());
          return {r, texts, label: g.textContent.trim()};
        });
        const overlaps = [];
        for (let i = 0; i < rects.length; i++) for (let j = i + 1; j < rects.length; j++) {
          const a = rects[i].r, b = rects[j].r;
          const apart = a.right - 0.5 <= b.left || b.right - 0.5 <= a.left
            || a.bottom - 0.5 <= b.top || b.bottom - 0.5 <= a.top;
          if (!apart) overlaps.push([rects[i].label, rects[j].label]);
        }
        const outside = (n, t) => t.left < n.r.left - 0.5 || t.right > n.r.right + 0.5;
        const cut = rects.filter(n => n.texts.some(t => outside(n, t))).map(n => n.label);
        return {nodes: rects.length, overlaps, cut};
        """
    )
    return result


def test_the_analyst_day(browser: WebDriver, base_url: str, tmp_path: Path) -> None:
    driver = browser
    # 0. The analyst signs in; the actor of every record is who signed in.
    sign_in(driver, base_url, "analyst.wu")
    # 1. Screen a supplier file.
    suppliers = tmp_path / "suppliers.csv"
    suppliers.write_text(SUPPLIERS, encoding="utf-8")
    driver.get(f"{base_url}/ui/batch")
    driver.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(str(suppliers))
    submit(driver, "/ui/batch")
    rows = {
        r.find_element(By.CSS_SELECTOR, "td code").text: r.text
        for r in driver.find_elements(By.CSS_SELECTOR, "tbody tr")
    }
    shot(driver, "01-batch")
    assert "match" in rows["SUP-1"] and "Zhongtai" in rows["SUP-1"]
    assert "no match" in rows["SUP-2"]

    # 2. Open the hit and record a judgement.
    click_and_wait(driver, driver.find_element(By.LINK_TEXT, "XINJIANG ZHONGTAI CHEMICAL CO LTD"))
    hit = driver.find_element(By.CSS_SELECTOR, "article.hit")
    hit.find_element(By.NAME, "reason").send_keys("USCC checked in the national registry")
    click_and_wait(driver, hit.find_element(By.CSS_SELECTOR, "button[value=match]"))
    shot(driver, "02-judged")
    judged = driver.find_element(By.CSS_SELECTOR, "article.hit").text
    assert "judged match" in judged and "by analyst.wu" in judged

    # 3. The officer signs in, imports the supply package and screens it under UFLPA.
    click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "form[action='/ui/logout'] button"))
    sign_in(driver, base_url, "officer.li")
    driver.get(f"{base_url}/ui/shipments")
    driver.find_element(By.XPATH, "//summary[contains(., 'Import a supply package')]").click()
    files = sorted(str(p) for p in SAMPLE_SUPPLY.glob("*.csv"))
    driver.find_element(
        By.CSS_SELECTOR, "form[action^='/ui/shipments/import'] input[type=file]"
    ).send_keys("\n".join(files))
    submit(driver, "/ui/shipments/import")
    shot(driver, "03-shipments")
    listing = driver.find_element(By.TAG_NAME, "table").text
    assert "S-1001" in listing and "S-2001" in listing

    # 4. Open a shipment that is held and its flow chart (on its dossier).
    all_ids = [a.text for a in driver.find_elements(By.CSS_SELECTOR, "tbody tr td:first-child a")]
    held = [
        a.text
        for a in driver.find_elements(By.CSS_SELECTOR, "tbody tr td:first-child a")
        if a.find_element(By.XPATH, "../..").text.split()[-1:] != ["clear"]
        and any(
            w in a.find_element(By.XPATH, "../..").text for w in ("detain", "review", "exclude")
        )
    ]
    assert held, listing
    click_and_wait(driver, driver.find_element(By.LINK_TEXT, held[0]))
    shot(driver, "04-shipment")
    assert held[0] in driver.find_element(By.TAG_NAME, "h1").text
    shipment_page = driver.current_url
    # Every shipment's flow chart: boxes apart, names whole.
    for shipment_id in sorted(set(all_ids)):
        driver.get(f"{base_url}/shipments/{shipment_id}/dossier?format=html")
        chart = driver.find_element(By.CSS_SELECTOR, "#chart svg.flowchart")
        driver.execute_script("arguments[0].scrollIntoView()", chart)
        driver.save_screenshot(str(SHOTS / f"05-chart-{shipment_id}.png"))
        layout = overlapping_boxes(driver)
        assert layout["nodes"], f"{shipment_id}: the dossier shows no flow chart"
        assert layout["overlaps"] == [], (shipment_id, layout)
        assert layout["cut"] == [], (shipment_id, layout)
    driver.get(shipment_page)

    # 5. Move the case.
    case_link = driver.find_element(By.PARTIAL_LINK_TEXT, "Case ")
    click_and_wait(driver, case_link)
    shot(driver, "06-case")
    form = driver.find_element(By.CSS_SELECTOR, "form[action$='/transition']")
    Select(form.find_element(By.NAME, "to")).select_by_value("awaiting_importer")
    form.find_element(By.NAME, "reason").send_keys("Importer asked for mill records")
    click_and_wait(driver, form.find_element(By.TAG_NAME, "button"))
    shot(driver, "07-case-moved")
    moved = driver.find_element(By.TAG_NAME, "main").text
    assert "awaiting importer" in moved.lower() and "officer.li" in moved

    # 6. Download the dossier.
    click_and_wait(driver, driver.find_element(By.LINK_TEXT, held[0]))
    driver.find_element(By.LINK_TEXT, "Dossier (PDF)").click()
    downloads = tmp_path / "downloads"
    deadline = time.monotonic() + 60
    pdfs: list[Path] = []
    while time.monotonic() < deadline and not pdfs:
        pdfs = [p for p in downloads.iterdir() if p.suffix == ".pdf"]
        time.sleep(0.2)
    assert pdfs, "the dossier PDF did not download"
    assert pdfs[0].read_bytes().startswith(b"%PDF")


def test_an_officer_signs_in_through_the_openid_provider(
    browser: WebDriver, tmp_path: Path
) -> None:
    """The provider's real login and consent pages, in the browser; flscreen maps the
    provider's e-mail claim to its user and signs that user in."""
    from flscreen.http.oidc import OidcClient
    from flscreen.identity import store as identity_store
    from flscreen.settings import OidcConfig
    from tests.api.seed import SETUP
    from tests.oidc.provider import CLIENT_ID, CLIENT_SECRET, missing, running_provider

    if missing():
        pytest.skip(str(missing()))
    db_url = f"sqlite:///{tmp_path / 'flscreen.db'}"
    store = open_store(db_url)
    with store.begin() as conn:
        identity_store.add_user(conn, "admin", "admin", SETUP, password="admin-password")
        identity_store.add_user(
            conn, "officer.li", "officer", SETUP, oidc="officer.li@customs.example"
        )
    store.dispose()
    app = create_app(db_url, documents_dir=tmp_path / "documents")
    driver = browser
    with (
        serving(app) as base,
        running_provider(
            [f"{base}/auth/oidc/callback"],
            post_logout_redirect_uris=[f"{base}/auth/oidc/signed-out"],
        ) as issuer,
    ):
        app.state.flscreen.oidc = OidcClient(
            OidcConfig(issuer, CLIENT_ID, CLIENT_SECRET, label="Customs SSO")
        )
        driver.get(f"{base}/ui/cases")  # not signed in: to the sign-in page, then back here
        click_and_wait(driver, driver.find_element(By.LINK_TEXT, "Sign in with Customs SSO"))
        assert driver.current_url.startswith(issuer), driver.current_url
        shot(driver, "10-oidc-provider-login")
        driver.find_element(By.NAME, "login").send_keys("li")
        driver.find_element(By.NAME, "password").send_keys("any password")
        click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "button[type=submit]"))
        shot(driver, "11-oidc-provider-consent")
        click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "button[type=submit]"))
        assert driver.current_url == f"{base}/ui/cases", driver.current_url
        shot(driver, "12-oidc-signed-in")
        assert "officer.li" in driver.find_element(By.TAG_NAME, "body").text
        # Signing out ends the provider's session too: its own confirmation, then back.
        click_and_wait(
            driver, driver.find_element(By.CSS_SELECTOR, "form[action='/ui/logout'] button")
        )
        assert driver.current_url.startswith(f"{issuer}/session/end"), driver.current_url
        shot(driver, "13-oidc-provider-sign-out")
        click_and_wait(driver, driver.find_element(By.CSS_SELECTOR, "button[value=yes]"))
        assert driver.current_url == f"{base}/auth/oidc/signed-out", driver.current_url
        shot(driver, "14-oidc-signed-out")
        assert "signed out of flscreen and of Customs SSO" in driver.page_source
