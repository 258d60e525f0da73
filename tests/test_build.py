"""End to end: raw demo data -> prepare -> executed papers (non-default parameters) -> rendered site -> browser.

Runs in a temporary copy of the project so the checkout's data/processed and reports/ are untouched. Two
variants of the FX-loans paper run in parallel on the local pool: Yongkang in English and Yiwu in Chinese.
The browser test loads the site from a local HTTP server in headless Chromium (`make test-deps` installs it).
"""

from __future__ import annotations

import json
import html
import re
import shutil
import threading
import zlib
from pathlib import Path
from urllib.parse import urlparse

import nbformat
import pytest

import research_kit as rk
from research_kit import pipeline
from research_kit.pipeline.render import find_external_references

ROOT = Path(__file__).resolve().parents[1]
NB = "notebooks/01_fx_loans_individual_businesses.ipynb"
PARAMS = {"county": "永康市", "lang": "en", "control_group": "never", "outcome": "financing_cost",
          "leads": 6, "lags": 12}
CJK = re.compile(r"[\u3400-\u9fff]")


def _copy_project(dest: Path) -> Path:
    (dest / "data").mkdir(parents=True)
    shutil.copytree(ROOT / "data" / "raw", dest / "data" / "raw")
    shutil.copy(ROOT / "data" / "catalog.yaml", dest / "data" / "catalog.yaml")
    if (ROOT / "data" / "targets").is_dir():  # indicator definitions that prepare checks the filings against
        shutil.copytree(ROOT / "data" / "targets", dest / "data" / "targets")
    (dest / "notebooks").mkdir()
    shutil.copy(ROOT / NB, dest / NB)
    (dest / "reports").mkdir()
    for name in ("references.bib", "frame.yaml", "csl"):  # the papers cite works: bibliography and styles
        src = ROOT / "reports" / name
        if src.is_dir():
            shutil.copytree(src, dest / "reports" / name)
        elif src.is_file():
            shutil.copy(src, dest / "reports" / name)
    params = ", ".join(f"{k}: {v}" for k, v in PARAMS.items())
    (dest / "studies.yaml").write_text(
        f"studies:\n  fx_loans:\n    notebook: {NB}\n    task: \"2\"\n    variants:\n      yongkang_en: {{{params}}}\n"
        "      yiwu: {county: 义乌市, lang: zh}\n", encoding="utf-8")
    return dest


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pipeline.BuildReport]:
    root = _copy_project(tmp_path_factory.mktemp("project"))
    report = pipeline.build(root=root)
    return root, report


def test_build_runs_the_variant_with_its_parameters(built) -> None:
    root, report = built
    assert [(o.study, o.variant, o.status) for o in report.outcomes] == [("fx_loans", "yongkang_en", "ok"),
                                                                         ("fx_loans", "yiwu", "ok")], report
    nb = nbformat.read(root / "reports/papers/fx_loans/yongkang_en.ipynb", as_version=4)
    meta = nb.metadata["research_kit"]
    assert meta["parameters"] == PARAMS and meta["lang"] == "en" and meta["synthetic"] is True
    assert "Yongkang" in meta["title"]
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
    # prose of the other language was dropped, the Quarto front matter was added
    assert not any("lang-zh" in c.metadata.get("tags", []) for c in nb.cells)
    assert nb.cells[0].cell_type == "raw" and nb.cells[0].source.startswith("---\ntitle:")


def test_site_pages_exist_offline_with_embedded_figures(built) -> None:
    root, _ = built
    site = root / "reports" / "_site"
    for rel in ("index.html", "fx_loans/yongkang_en.html", "fx_loans/yongkang_en.docx", "fx_loans/yongkang_en.pdf"):
        assert (site / rel).is_file() and (site / rel).stat().st_size > 1000, rel
    for page in site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert find_external_references(text) == [], page
        assert not re.search(r"""(?:src|href)\s*=\s*["']?https?://""", text), page
    paper = (site / "fx_loans/yongkang_en.html").read_text(encoding="utf-8")
    assert paper.count('src="data:image/png;base64,') >= 3
    assert "<math" in paper  # equations as MathML, no MathJax CDN
    index = (site / "en" / "index.html").read_text(encoding="utf-8")  # English papers are listed on en/index.html
    assert "Yongkang" in index and "yongkang_en.html" in index
    for name in ("pagefind-ui.js", "pagefind-ui.css", "pagefind.js"):
        assert (site / "pagefind" / name).is_file()  # search runs from local files


def test_pdf_has_typst_tables_embedded_cjk_font_and_figures(built) -> None:
    root, _ = built
    (record,) = (root / "reports/.cache/render/fx_loans/yiwu").iterdir()
    typ = (record / "paper.typ").read_text(encoding="utf-8")
    assert typ.count("#table(") >= 4  # the results arrive as tables, not as text
    assert typ.count("image(") >= 3 and "Noto Sans CJK SC" in typ
    pdf = (root / "reports/_site/fx_loans/yiwu.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    assert b"/FontFile" in pdf and b"NotoSansCJK" in pdf  # the CJK font is embedded, not referenced
    assert len(re.findall(rb"/Subtype\s*/Image", pdf)) >= 3  # the figures

    def inflate(m: re.Match[bytes]) -> bytes:
        try:
            return zlib.decompress(m.group(1))
        except zlib.error:
            return b""

    text = b"".join(inflate(m) for m in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S))
    assert b"Tj" in text or b"TJ" in text  # text is set as text (glyphs), not only as pictures


def test_paper_numbers_come_from_the_estimator(built) -> None:
    root, _ = built
    from research_kit.studies import fx_loans as study

    panel = study.analysis_panel("永康市", root=root)
    est = study.estimate(panel, outcome="financing_cost", control_group="never", leads=6, lags=12)
    paper = (root / "reports/_site/fx_loans/yongkang_en.html").read_text(encoding="utf-8")
    for r in (est.cs, est.twfe):
        assert f"{r.estimate:.3f}" in paper, r
        assert f"{r.conf_low:.3f}" in paper and f"{r.conf_high:.3f}" in paper
    assert f"{est.truth_att:.3f}" in paper
    assert f"{panel['business_id'].nunique():,}" in paper


def test_english_paper_has_no_chinese_except_proper_names(built) -> None:
    root, _ = built
    html = (root / "reports/_site/fx_loans/yongkang_en.html").read_text(encoding="utf-8")
    text = re.sub(r"<style.*?</style>", "", html, flags=re.S)
    text = re.sub(r"data:[^\"')\s]+", "", text)
    allowed = {"永康市"}  # the county parameter, echoed in the run parameters
    for name in allowed:
        text = text.replace(name, "")
    found = sorted(set(CJK.findall(re.sub(r"<[^>]+>", " ", text))))
    assert not found, f"Chinese characters in the English paper: {''.join(found)}"


# Proper names, acronyms and product names that a Chinese paper keeps in Latin script.
LATIN_ALLOWED = {"TWFE", "Callaway", "Sant'Anna", "Sant’Anna", "Goodman-Bacon", "Sun", "Abraham", "BJS", "Rambachan",
                 "Roth", "ATT", "Webb", "Word", "PDF", "research_kit", "simulate", "Borusyak", "Jaravel", "Spiess",
                 "Cameron", "Gelbach", "Miller", "CR1", "Wald", "HonestDiD", "C-LF", "p", "N", "g", "t", "M"}


def test_chinese_paper_has_no_english_except_proper_names(built) -> None:
    root, _ = built
    html_text = (root / "reports/_site/fx_loans/yiwu.html").read_text(encoding="utf-8")
    # the table of contents lists the appendix heading; the reference list (English titles) and the provenance
    # appendix (parameter values, package names) come after the body
    text = re.sub(r"<(style|script|math|nav)\b.*?</\1>", " ", html_text, flags=re.S)
    text = re.split(r"<div[^>]*\bid=\"refs\"", text)[0]
    text = re.sub(r"data:[^\"')\s]+", "", text)
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    body = text.split("附录")[0]
    words = {w for w in re.findall(r"[A-Za-z][A-Za-z0-9_\-'’]*", body) if not re.fullmatch(r"[A-Z]+-\d{4}-[A-Z0-9-]+", w)}
    assert len(body) > 3000  # the body was read, not only the header
    assert not words - LATIN_ALLOWED, f"English in the Chinese paper: {sorted(words - LATIN_ALLOWED)}"


def test_no_business_identifier_is_published(built) -> None:
    root, _ = built
    ids = rk.data.identifier_values(root)
    businesses = set(rk.data.load("businesses", root=root)["business_id"].astype(str))
    assert len(businesses) == 1200 and businesses <= {str(i) for i in ids}
    assert len(ids) > 2 * len(businesses)  # also USCCs, loan and contract ids, names of the microdata sources
    assert rk.report.check_no_microdata(root / "reports" / "_site", ids)


def test_render_refuses_a_paper_that_prints_microdata(built) -> None:
    root, _ = built
    site = root / "reports" / "_site"
    before = (site / "fx_loans/yongkang_en.html").read_bytes()
    path = root / "reports/papers/fx_loans/yongkang_en.ipynb"
    original = path.read_bytes()
    nb = nbformat.read(path, as_version=4)
    leak = nbformat.v4.new_code_cell("")
    leak.outputs = [nbformat.v4.new_output("display_data", data={"text/markdown": "| id |\n|---|\n| GT000001 |"})]
    nb.cells.append(leak)
    nbformat.write(nb, path)
    try:
        with pytest.raises(rk.report.DisclosureError, match="GT000001"):
            pipeline.render_site(root, identifiers=rk.data.identifier_values(root))
        assert (site / "fx_loans/yongkang_en.html").read_bytes() == before  # the last good site stays
    finally:
        path.write_bytes(original)


def test_two_runs_give_identical_tables(built) -> None:
    root, _ = built
    studies = pipeline.load_studies(root)
    first = nbformat.read(root / "reports/papers/fx_loans/yongkang_en.ipynb", as_version=4)
    again = pipeline.run_variant(studies["fx_loans"], studies["fx_loans"].variants[0], root=root)
    assert again.status == "ok"
    second = nbformat.read(again.path, as_version=4)

    def tables(nb) -> list[str]:
        return [o["data"]["text/markdown"] for c in nb.cells if c.cell_type == "code" for o in c.outputs
                if "text/markdown" in o.get("data", {})]

    assert tables(first) == tables(second) and len(tables(first)) >= 8


# ---------------------------------------------------------------------------- browser

CHROME_FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-default-apps", "--disable-extensions", "--window-size=1200,1600")


def _browser(tmp_path: Path):  # type: ignore[no-untyped-def]
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    chromedriver = shutil.which("chromedriver")
    if not chromium or not chromedriver:
        pytest.skip("headless Chromium is not installed: `make test-deps` installs the Debian packages chromium "
                    "and chromium-driver (as root); without them this browser test cannot run")
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in (*CHROME_FLAGS, f"--user-data-dir={tmp_path / 'chrome-profile'}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    return webdriver.Chrome(service=Service(chromedriver), options=options)


def _requested_urls(driver) -> list[str]:  # type: ignore[no-untyped-def]
    urls = []
    for entry in driver.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        if msg.get("method") == "Network.requestWillBeSent":
            urls.append(msg["params"]["request"]["url"])
    return urls


def _check_paper_page(driver, *, zh: bool) -> None:  # type: ignore[no-untyped-def]
    """The report frame, TOC, numbering, Chinese spacing and internals of one paper page, as the reader sees it."""
    from selenium.webdriver.common.by import By

    from research_kit.pipeline._internals import find_internals

    frame = driver.find_element(By.CSS_SELECTOR, ".frame-line").text
    assert ("金华开放经济金融研究院" if zh else "Jinhua Institute for Open Economy and Finance") in frame
    assert re.search(r"JOEF-\d{4}-T02-\d{2}[CE]", frame), frame
    header = driver.find_element(By.CSS_SELECTOR, ".title-block").text
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日" if zh else r"\d{1,2} [A-Z][a-z]+ \d{4}", header), header
    assert driver.find_element(By.CSS_SELECTOR, ".authors").text and driver.find_element(By.CSS_SELECTOR, ".contact").text
    toc = driver.find_elements(By.CSS_SELECTOR, "nav#TOC li a")
    assert len(toc) >= 4 and all(a.get_attribute("href").split("#")[1] for a in toc)
    captions = [e.text for e in driver.find_elements(By.CSS_SELECTOR, "figcaption, caption")]
    numbers = [re.match(r"(附?[图表]|Figure|Table) (A?\d+)[：:]", c) for c in captions]
    assert captions and all(numbers), captions
    assert not [c for c in captions if re.match(r"(图|表|Figure|Table) \d+[：:] ?(图|表|Figure|Table) ?\d", c)]
    for kind in ("图", "表", "Figure", "Table"):  # numbered 1, 2, 3, ... in reading order
        seen = [int(m.group(2)) for m in numbers if m and m.group(1) == kind and m.group(2).isdigit()]
        assert seen == list(range(1, len(seen) + 1)), (kind, seen)
    body = driver.execute_script(
        "const m = document.querySelector('main').cloneNode(true);"
        "m.querySelectorAll('.appendix, math, code').forEach(e => e.remove()); return m.textContent;")
    if zh:  # inside each text block (between blocks the DOM has newlines that print as nothing)
        blocks = driver.execute_script(
            "const m = document.querySelector('main').cloneNode(true);"
            "m.querySelectorAll('.appendix').forEach(e => e.remove());"
            "m.querySelectorAll('math, code').forEach(e => e.replaceWith('x'));"  # a formula is a word
            "return [...m.querySelectorAll('p, td, th, caption, figcaption, h1, h2, h3, h4, dt, dd')]"
            ".map(e => e.textContent);")
        assert blocks and [t for t in blocks
                           if re.search(r"[\u4e00-\u9fff，。：；、）]\s+[\u4e00-\u9fff（]", t)] == []
    assert find_internals(body) == [], find_internals(body)
    citations = driver.find_elements(By.CSS_SELECTOR, ".citation")
    if citations:  # a paper that cites has its reference list, before the appendix
        assert driver.find_elements(By.CSS_SELECTOR, "#refs .csl-entry")


def test_site_in_a_headless_browser_offline_links_and_chinese_search(built, tmp_path: Path) -> None:
    import functools
    import http.server
    import urllib.request

    root, _ = built
    site = root / "reports" / "_site"
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *a, **k: None  # type: ignore[attr-defined]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    driver = _browser(tmp_path)
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    requested: list[str] = []
    try:
        driver.get(base + "index.html")
        box = WebDriverWait(driver, 30).until(ec.presence_of_element_located(
            (By.CSS_SELECTOR, ".pagefind-ui__search-input")))
        assert driver.find_element(By.ID, "search-note").get_attribute("hidden") is not None
        # every link of the index works: pages in the browser, downloads by request
        links = sorted({a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, "article.card a")})
        assert len(links) == 3 and all("/yiwu." in u for u in links), links  # the Chinese paper x (HTML, DOCX, PDF)
        driver.find_element(By.CSS_SELECTOR, "a.other-index").click()  # the English index lists the English paper
        WebDriverWait(driver, 10).until(lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en")
        en_links = sorted({a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, "article.card a")})
        assert len(en_links) == 3 and all("/yongkang_en." in u for u in en_links), en_links
        assert "Policy task" in driver.find_element(By.TAG_NAME, "body").text
        links += en_links
        requested += _requested_urls(driver)
        for link in links:
            if link.endswith(".html"):
                driver.get(link)
                title = driver.find_element(By.CSS_SELECTOR, "h1.title").text
                assert "外汇贷款" in title or "FX loans" in title, title
                _check_paper_page(driver, zh="/yiwu." in link)
                driver.find_element(By.CSS_SELECTOR, "a.back").click()
                WebDriverWait(driver, 10).until(ec.presence_of_element_located((By.ID, "search")))
            else:
                with urllib.request.urlopen(link) as resp:  # noqa: S310 - 127.0.0.1 only
                    assert resp.status == 200 and len(resp.read()) > 10_000
        requested += _requested_urls(driver)

        # full-text search in Chinese finds the Chinese FX-loans paper
        box = WebDriverWait(driver, 30).until(ec.element_to_be_clickable(
            (By.CSS_SELECTOR, ".pagefind-ui__search-input")))
        box.send_keys("外汇贷款")
        WebDriverWait(driver, 30).until(lambda d: d.find_elements(By.CSS_SELECTOR, ".pagefind-ui__result-link"))
        hits = [a.get_attribute("href") for a in driver.find_elements(By.CSS_SELECTOR, ".pagefind-ui__result-link")]
        assert any(urlparse(h).path.startswith("/fx_loans/yiwu") for h in hits), hits
        driver.save_screenshot(str(tmp_path / "search-zh.png"))
        # and in English the English paper
        box.send_keys(Keys.CONTROL, "a")
        box.send_keys("Yongkang")
        WebDriverWait(driver, 30).until(lambda d: any(
            "yongkang_en" in (a.get_attribute("href") or "")
            for a in d.find_elements(By.CSS_SELECTOR, ".pagefind-ui__result-link")))
        target = next(a for a in driver.find_elements(By.CSS_SELECTOR, ".pagefind-ui__result-link")
                      if "yongkang_en" in (a.get_attribute("href") or ""))
        target.click()
        WebDriverWait(driver, 10).until(ec.presence_of_element_located((By.CSS_SELECTOR, "h1.title")))
        assert "Yongkang" in driver.find_element(By.CSS_SELECTOR, "h1.title").text
        driver.save_screenshot(str(tmp_path / "paper-en.png"))
        requested += _requested_urls(driver)
    finally:
        driver.quit()
        server.shutdown()
    assert requested and any(u.startswith(base) for u in requested)
    hosts = {urlparse(u).hostname for u in requested if urlparse(u).scheme in ("http", "https", "ws", "wss")}
    assert hosts == {"127.0.0.1"}, sorted(u for u in requested if urlparse(u).hostname != "127.0.0.1")[:10]
    assert (tmp_path / "search-zh.png").stat().st_size > 10_000
