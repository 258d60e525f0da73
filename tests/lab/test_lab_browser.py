"""JupyterLab as `make lab` opens it: Chinese menus and the project kernel, in headless Chromium.

`make setup` installs the Chinese language pack (a dependency), selects it in the Lab settings of the
environment (`jupyter/lab-settings/overrides.json` → `<prefix>/share/jupyter/lab/settings/`) and
registers the kernel "research_kit (Python 3)" with `ipykernel install --sys-prefix`. The user's own
Jupyter settings are kept out of the test (fresh settings, config and runtime folders).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PREFIX = Path(sys.prefix)
KERNEL = PREFIX / "share" / "jupyter" / "kernels" / "research_kit" / "kernel.json"
OVERRIDES = PREFIX / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
CHROME_FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-default-apps", "--disable-extensions", "--window-size=1400,1000")


def test_setup_installed_the_kernel_and_the_chinese_default() -> None:
    assert KERNEL.is_file(), f"{KERNEL} missing: `make setup` registers the project kernel"
    spec = json.loads(KERNEL.read_text(encoding="utf-8"))
    assert spec["display_name"] == "research_kit (Python 3)"
    assert Path(spec["argv"][0]).resolve().parent == Path(sys.executable).resolve().parent
    assert OVERRIDES.is_file(), f"{OVERRIDES} missing: `make setup` copies jupyter/lab-settings/overrides.json"
    assert json.loads(OVERRIDES.read_text(encoding="utf-8")) == json.loads(
        (ROOT / "jupyter" / "lab-settings" / "overrides.json").read_text(encoding="utf-8"))
    from jupyterlab_server.translation_utils import get_language_packs

    packs, _ = get_language_packs("zh_CN")
    assert "zh_CN" in packs


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_lab_opens_in_chinese_with_the_project_kernel(tmp_path: Path) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    chromedriver = shutil.which("chromedriver")
    if not chromium or not chromedriver:
        pytest.skip("headless Chromium is not installed: `make test-deps` installs the Debian packages chromium "
                    "and chromium-driver (as root)")
    if not KERNEL.is_file() or not OVERRIDES.is_file():
        pytest.fail("run `make setup` first: it registers the kernel and the Chinese Lab settings")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    port = _free_port()
    env = {**os.environ, "JUPYTERLAB_SETTINGS_DIR": str(tmp_path / "settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "workspaces"), "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
           "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime")}
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", f"--port={port}", "--ip=127.0.0.1", "--allow-root",
         "--ServerApp.token=", "--ServerApp.password=", f"--ServerApp.root_dir={ROOT / 'notebooks'}"],
        env=env, stdout=subprocess.DEVNULL, stderr=(tmp_path / "lab.log").open("w"), start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in (*CHROME_FLAGS, f"--user-data-dir={tmp_path / 'chrome'}"):
        options.add_argument(flag)
    driver = None
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/status", timeout=5) as resp:  # noqa: S310 - loopback
                    if resp.status == 200:
                        break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail(f"JupyterLab did not start: {(tmp_path / 'lab.log').read_text()[-2000:]}")
                time.sleep(1)
        with urllib.request.urlopen(f"{base}/api/kernelspecs", timeout=30) as resp:  # noqa: S310 - loopback
            specs = json.load(resp)["kernelspecs"]
        assert specs["research_kit"]["spec"]["display_name"] == "research_kit (Python 3)"
        driver = webdriver.Chrome(service=Service(chromedriver), options=options)
        driver.get(f"{base}/lab")
        wait = WebDriverWait(driver, 180)
        menu = wait.until(ec.presence_of_element_located(
            (By.XPATH, "//*[contains(@class,'lm-MenuBar-itemLabel') and normalize-space(text())='文件']")))
        assert menu.is_displayed()
        card = wait.until(ec.presence_of_element_located(
            (By.XPATH, "//*[contains(@class,'jp-LauncherCard') and contains(@title,'research_kit (Python 3)')]"
                       " | //*[contains(@class,'jp-LauncherCard-label') and contains(., 'research_kit (Python 3)')]")))
        assert card is not None
        driver.save_screenshot(str(tmp_path / "lab.png"))
    finally:
        if driver is not None:
            driver.quit()
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
