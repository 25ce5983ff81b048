#!/usr/bin/env python3
"""Drives the web console in headless Chromium (Selenium, Debian's chromium
and chromedriver) against a running network, as a person would: opens every
page, follows a transfer to its block and proof, checks a notarized file by
drag and drop, compares what the pages show with what the API says, opens
pages that do not exist, and looks at every page at a phone's width.
Saves a screenshot of each main page. Run by crates/eiraku/tests/console.rs;
exits non-zero, saying what failed, on the first difference.
"""

import argparse
import base64
import datetime
import hashlib
import json
import pathlib
import shutil
import sys
import tempfile
import time
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

PHONE = (390, 844)
DESKTOP = (1280, 900)


class Check:
    def __init__(self, args):
        self.url = args.url.rstrip("/")
        self.out = pathlib.Path(args.screenshots)
        self.out.mkdir(parents=True, exist_ok=True)
        self.args = args
        # Chromium's profile lives only as long as this check.
        self.profile = tempfile.mkdtemp(prefix="eiraku-chromium-")
        options = webdriver.ChromeOptions()
        options.binary_location = args.chromium
        for flag in [
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--hide-scrollbars",
            f"--user-data-dir={self.profile}",
        ]:
            options.add_argument(flag)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.driver = webdriver.Chrome(options=options, service=Service(args.chromedriver))
        self.driver.set_window_size(*DESKTOP)
        self.wait = WebDriverWait(self.driver, 30)

    # --- helpers -------------------------------------------------------
    def api(self, path):
        with urllib.request.urlopen(self.url + path, timeout=10) as response:
            return json.load(response)

    def status_of(self, path):
        try:
            with urllib.request.urlopen(self.url + path, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def open(self, path):
        self.driver.get(self.url + path)
        self.wait.until(lambda d: d.execute_script("return document.readyState") == "complete")

    def text(self, css):
        return self.driver.find_element(By.CSS_SELECTOR, css).text.strip()

    def shot(self, name):
        self.driver.save_screenshot(str(self.out / f"{name}.png"))

    def expect(self, condition, what):
        if not condition:
            raise AssertionError(f"{what} (at {self.driver.current_url})")

    def no_script_errors(self):
        severe = [e for e in self.driver.get_log("browser") if e["level"] == "SEVERE"]
        # A "not found" page answers 404 on purpose; Chromium logs that.
        severe = [e for e in severe if "status of 404" not in e["message"]]
        self.expect(not severe, f"the page logged errors: {severe}")

    # --- the checks ----------------------------------------------------
    def front_page(self):
        self.open("/")
        rows = self.driver.find_elements(By.CSS_SELECTOR, "#blocks tbody tr")
        self.expect(len(rows) >= 3, "the front page lists the latest blocks")
        for row in rows[:3]:
            height = int(row.get_attribute("data-height"))
            shown = row.find_elements(By.TAG_NAME, "td")
            block = self.api(f"/v1/block/{height}")
            self.expect(shown[2].text == str(len(block["transactions"])), f"block {height}: tx count")
            short = shown[3].text
            self.expect(block["hash"].startswith(short[:10]) and block["hash"].endswith(short[-6:]),
                        f"block {height}: hash {short} is not the API's {block['hash']}")
            self.expect(shown[1].text == utc(block["timestamp_ms"]), f"block {height}: time")
        top = int(rows[0].get_attribute("data-height"))
        # Live: a newer block arrives over server-sent events, no reload.
        self.wait.until(lambda d: int(d.find_element(By.CSS_SELECTOR, "#blocks tbody tr")
                                      .get_attribute("data-height")) > top)
        self.expect(int(self.text("#stat-height")) > top, "the height counter follows the new blocks")
        self.shot("home")
        self.no_script_errors()

    def follow_transfer(self):
        tx = self.args.tx
        self.open(f"/search?q={tx}")
        self.expect(self.text("#tx-hash") == tx, "search by hash leads to the transaction")
        view = self.api(f"/v1/tx/{tx}")
        self.expect(self.text("#tx-status") == view["status"] == "finalized", "finalized")
        self.expect(self.text("#tx-outcome") == view["receipt"]["outcome"] == "success", "outcome")
        self.expect(self.text("#tx-block") == str(view["receipt"]["height"]), "block height")
        self.expect(self.args.summary in self.text("#tx-summary"),
                    f"the call reads {self.args.summary!r}: {self.text('#tx-summary')!r}")
        link = self.driver.find_element(By.ID, "download-proof").get_attribute("href")
        self.save_proof(link)
        self.shot("transaction")
        self.no_script_errors()
        self.driver.find_element(By.ID, "tx-block").click()
        self.wait.until(lambda d: "/blocks/" in d.current_url)
        block = self.api(f"/v1/block/{view['receipt']['height']}")
        self.expect(self.text("#block-hash") == block["hash"], "block hash")
        self.expect(self.text("#block-time") == utc(block["timestamp_ms"]), "block time")
        self.expect(self.text("#tx-count") == str(len(block["transactions"])), "block tx count")
        hashes = [a.get_attribute("href").rsplit("/", 1)[1] for a in
                  self.driver.find_elements(By.CSS_SELECTOR, "#block-transactions a[href^='/txs/']")]
        self.expect(tx in hashes, "the block lists the transaction")
        if block["certificate"]:
            signers = int(self.text("#signer-count"))
            self.expect(3 <= signers <= 4, f"a quorum of the 4 validators signed: {signers}")
        self.shot("block")
        self.no_script_errors()

    def save_proof(self, link):
        deadline = time.time() + 30
        while True:
            try:
                with urllib.request.urlopen(link, timeout=10) as response:
                    pathlib.Path(self.args.proof_out).write_bytes(response.read())
                    return
            except urllib.error.HTTPError as error:
                # The certificate is stored a moment after the block.
                if error.code != 404 or time.time() > deadline:
                    raise
                time.sleep(0.2)

    def account(self):
        name = self.args.account
        receipt = self.api(f"/v1/tx/{self.args.tx}")["receipt"]
        self.open_indexed(f"/accounts/{name}", receipt["height"])
        self.expect(self.text("#account-name") == name, "the account page names the account")
        view = self.api(f"/v1/account/{self.text('#account-id')}")
        self.expect(self.text("#account-balance") == view["balance_text"],
                    f"balance {self.text('#account-balance')} is not the API's {view['balance_text']}")
        self.expect(self.args.tx in self.history(), "the account's history shows the transfer")
        self.shot("account")
        self.no_script_errors()
        # The search box takes a demo name.
        box = self.driver.find_element(By.CSS_SELECTOR, "form.search input")
        box.clear()
        box.send_keys("bob", Keys.ENTER)
        self.wait.until(lambda d: d.current_url.endswith("/accounts/bob"))
        self.expect(self.text("#account-name") == "bob", "search by name")
        self.expect(self.args.tx in self.history(), "the payee's history shows it too")
        # Older pages start strictly before a transaction's place.
        self.open(f"/accounts/{name}?before={receipt['height']}.{receipt['index']}")
        self.expect(self.args.tx not in self.history(), "an older page holds only older ones")
        status, _ = self.status_of(f"/accounts/{name}?before=yesterday")
        self.expect(status == 400, f"a page before no place is refused: {status}")

    def open_indexed(self, path, height):
        """Opens an account page once the node's account index (kept
        behind the chain, in idle time) has reached block `height`."""
        for _ in range(120):
            self.open(path)
            through = self.driver.find_element(By.ID, "history-indexed").get_attribute("data-through")
            if int(through) >= height:
                return
            time.sleep(0.25)
        raise AssertionError(f"the account index never reached block {height} (at {through})")

    def history(self):
        """The transactions the account page lists."""
        return [a.get_attribute("href").rsplit("/", 1)[1] for a in
                self.driver.find_elements(By.CSS_SELECTOR, "#account-history a[href^='/txs/']")]

    def notarized_files(self):
        self.open("/registries")
        good = pathlib.Path(self.args.notarized).read_bytes()
        self.expect(self.drop("minutes.txt", good) == "notarized", "the stamped file is notarized")
        self.expect(self.text("#drop-digest") == hashlib.sha256(good).hexdigest(), "the digest")
        self.shot("registries")
        changed = good + b" (amended)"
        self.expect(self.drop("minutes.txt", changed) == "not-notarized", "a changed file is not")
        self.no_script_errors()

    def drop(self, name, content):
        """Drops a file on the drop zone, as a drag from the desktop does."""
        self.driver.execute_script("""
            const [name, b64] = arguments;
            const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], name));
            const zone = document.getElementById("drop-zone");
            document.getElementById("drop-result").removeAttribute("data-verdict");
            for (const type of ["dragenter", "dragover", "drop"]) {
              zone.dispatchEvent(new DragEvent(type, {dataTransfer: transfer, bubbles: true, cancelable: true}));
            }
        """, name, base64.b64encode(content).decode())
        self.wait.until(lambda d: d.find_element(By.ID, "drop-result").get_attribute("data-verdict"))
        return self.driver.find_element(By.ID, "drop-result").get_attribute("data-verdict")

    def coin_dashboard(self):
        supply = self.page_and_api_at_one_height("/coin", "/v1/money/supply", "#coin-as-of",
                                                 ["circulation", "offline_float", "economies"])
        self.expect(self.text("#coin-circulation") == coins(int(supply["circulation"])), "circulation")
        self.expect(self.text("#coin-float") == coins(int(supply["offline_float"])), "offline float")
        for economy in supply["economies"][:3]:
            row = self.driver.find_element(By.CSS_SELECTOR, f"#economies tr[data-economy='{economy['code']}']")
            cells = [td.text for td in row.find_elements(By.TAG_NAME, "td")]
            self.expect(cells[3] == coins(int(economy["issued_bonds"])), f"{economy['code']} issued bonds")
        for chart in ["#chart-over-time svg", "#chart-per-economy svg"]:
            self.expect(self.driver.find_elements(By.CSS_SELECTOR, chart), f"{chart} is drawn")
        self.expect(len(self.driver.find_elements(By.CSS_SELECTOR, "#basket tbody tr")) == len(supply["economies"]),
                    "the basket lists every member currency")
        self.expect(len(self.driver.find_elements(By.CSS_SELECTOR, "#flows tbody tr")) == len(supply["economies"]),
                    "the flows matrix has a row per economy")
        self.shot("coin")
        self.supply_over_time(supply)
        self.no_script_errors()

    def page_and_api_at_one_height(self, page, api, as_of, fields):
        """Opens `page` between two reads of `api` until `fields` did not
        move across the three (the traffic moves the supply): the page was
        then drawn from a block whose answer both reads give."""
        seen = []
        for _ in range(60):
            before = self.api(api)
            self.open(page)
            shown = int(self.driver.find_element(By.CSS_SELECTOR, as_of).get_attribute("data-height"))
            after = self.api(api)
            still = all(before[f] == after[f] for f in fields)
            if still and before["height"] <= shown <= after["height"]:
                return after
            seen.append((before["height"], shown, after["height"], still))
        raise AssertionError(f"{api} moved during every reading of {page}: {seen}")

    def supply_over_time(self, supply):
        """Each drawn point's books are checked again, and balance; one
        economy's supply over time is a chart of its own."""
        check = self.driver.find_element(By.ID, "books-check")
        self.expect(int(check.get_attribute("data-checked")) >= 1, "points are checked")
        self.expect(check.get_attribute("data-broken") == "0", f"the books balance: {check.text}")
        books = [td.text for td in self.driver.find_elements(By.CSS_SELECTOR, "#supply-points td.books")]
        self.expect(books and all(b == "balance" for b in books), f"each listed point balances: {books}")
        code = supply["economies"][0]["code"]
        self.driver.find_element(By.CSS_SELECTOR, f"#over-time-economies a[href$='economy={code}#over-time']").click()
        self.wait.until(lambda d: f"economy={code}" in d.current_url)
        self.expect(self.text("#over-time h2").endswith(f": {code}"), "the chart is the economy's")
        self.expect(self.driver.find_elements(By.CSS_SELECTOR, "#chart-over-time svg"), "its chart is drawn")

    def governance(self):
        self.open("/governance")
        view = self.api("/v1/governance")
        self.expect(self.text("#proposal-count") == str(view["proposals"]), "proposal count")
        seats = self.driver.find_elements(By.CSS_SELECTOR, "#voting-seats li")
        self.expect(len(seats) == len(view["voting_seats"]), "voting seats")
        self.shot("governance")
        proposal = self.api("/v1/governance/proposals/0")
        self.driver.find_element(By.CSS_SELECTOR, "#proposals a[href='/governance/proposals/0']").click()
        self.wait.until(lambda d: d.current_url.endswith("/governance/proposals/0"))
        self.expect(self.text("#proposal-status") == proposal["status"]["status"], "status")
        yes = sum(1 for v in proposal["votes"] if v["choice"] == "yes")
        self.expect(self.text("#proposal-votes").startswith(f"{yes} yes of {len(proposal['votes'])}"), "votes")
        stances = [a["stance"] for a in proposal["advice"]]
        self.expect(all(s in self.driver.page_source for s in stances) and stances, "the advice is shown")
        self.shot("proposal")
        self.no_script_errors()

    def proof_checker(self):
        self.open("/registries")
        where = self.driver.find_element(By.ID, "proof-where").get_attribute("data-where")
        self.expect(where == "browser", "the node serves the WebAssembly proof checker")
        proof = pathlib.Path(self.args.proof_out)
        self.expect(self.check_proof(proof) == "true", "the transaction proof holds")
        self.expect(self.text("#proof-checked-by").startswith("in your browser (WebAssembly)"),
                    "the check ran in the browser")
        tampered = proof.with_name("tampered.proof.json")
        data = json.loads(proof.read_text())
        data["transaction"] = flip_hex(data["transaction"])
        tampered.write_text(json.dumps(data))
        self.expect(self.check_proof(tampered) == "false", "a tampered proof does not")
        self.own_genesis(proof)
        notary = pathlib.Path(self.args.notarized + ".proof.json")
        self.driver.find_element(By.ID, "proof-file-input").send_keys(str(tampered))
        self.expect(self.check_proof(notary) == "false", "the notary proof fails for another file")
        self.driver.find_element(By.ID, "proof-file-input").send_keys(self.args.notarized)
        self.expect(self.check_proof(notary) == "true", "the notary proof holds for its file")
        sent = self.driver.execute_script(
            'return performance.getEntriesByType("resource").map(e => e.name)')
        self.expect(any(name.endswith("/console/proof_checker_bg.wasm") for name in sent),
                    "the page loaded the checker")
        self.expect(not any("/v1/proof/check" in name for name in sent),
                    f"no proof went to the node: {sent}")
        self.driver.execute_script('document.getElementById("proof-zone").scrollIntoView()')
        self.shot("proof-check")
        self.no_script_errors()

    def own_genesis(self, proof):
        """With the person's own genesis file: the real one confirms the
        proof; one whose validator set a lying node changed does not."""
        genesis = self.api("/v1/genesis")
        own = proof.with_name("my-genesis.json")
        own.write_text(json.dumps(genesis))
        chooser = self.driver.find_element(By.ID, "proof-genesis-input")
        chooser.send_keys(str(own))
        self.expect(self.check_proof(proof) == "true", "the proof holds against one's own genesis")
        self.expect("your genesis file my-genesis.json" in self.text("#proof-checked-by"),
                    "the page says which genesis it used")
        genesis["validators"] = genesis["validators"][1:]
        forged = proof.with_name("forged-genesis.json")
        forged.write_text(json.dumps(genesis))
        chooser.send_keys(str(forged))
        self.expect(self.check_proof(proof) == "false", "not against another validator set")
        self.driver.execute_script('document.getElementById("proof-genesis-input").value = ""')

    def check_proof(self, path):
        # Emptied first: choosing the file already chosen fires no change.
        self.driver.execute_script('document.getElementById("proof-result").removeAttribute("data-valid");'
                                   'document.getElementById("proof-input").value = ""')
        self.driver.find_element(By.ID, "proof-input").send_keys(str(path))
        self.wait.until(lambda d: d.find_element(By.ID, "proof-result").get_attribute("data-valid"))
        return self.driver.find_element(By.ID, "proof-result").get_attribute("data-valid")

    def lookups(self):
        attestation = self.args.attestation
        self.open(f"/registries/lookup?kind=attestation&id={attestation}")
        fields = dict(zip([e.text for e in self.driver.find_elements(By.CSS_SELECTOR, "#lookup-fields dt")],
                          [e.text for e in self.driver.find_elements(By.CSS_SELECTOR, "#lookup-fields dd")]))
        view = self.api(f"/v1/attestations/{attestation}")
        self.expect(fields.get("subject") == view["subject"], "the attestation's subject")
        self.expect(fields.get("valid now") == "true" and view["valid_now"], "valid now")
        for kind, unknown in [("consent", "0" * 64), ("record", "no-such-registry/key"), ("registry", "nope")]:
            self.open(f"/registries/lookup?kind={kind}&id={unknown}")
            self.expect(self.text("h1") == "Not found", f"an unknown {kind} is not found")

    def status_page(self):
        self.open("/status")
        shown = int(self.text("#status-height"))
        self.expect(shown <= self.api("/v1/status")["finalized_height"], "the height is the node's")
        peers = len(self.driver.find_elements(By.CSS_SELECTOR, "#peers tbody tr:not(.empty)"))
        self.expect(peers >= 2, f"a quorum of peers is connected: {peers}")
        self.expect(self.text("#status-latency").endswith(" ms"), "finality latency")
        self.expect(self.driver.find_elements(By.CSS_SELECTOR, "#chart-throughput svg"), "throughput chart")
        self.shot("status")
        self.no_script_errors()

    def not_found_pages(self):
        pages = {
            "/blocks/999999999": "no finalized block",
            f"/txs/{'0' * 64}": "not known",
            f"/accounts/{self.args.stranger}": "does not exist",
            "/accounts/nobody-at-all": "nor an account's name",
            "/txs/not-a-hash": "64 hex",
            "/no/such/page": "no page",
        }
        with urllib.request.urlopen(self.url + "/", timeout=10) as response:
            policy = response.headers.get("Content-Security-Policy", "")
            self.expect("default-src 'self'" in policy and "frame-ancestors 'none'" in policy,
                        f"pages carry a content security policy: {policy!r}")
            self.expect(response.headers.get("X-Content-Type-Options") == "nosniff", "nosniff")
        for path, words in pages.items():
            status, body = self.status_of(path)
            self.expect(status in (400, 404), f"{path} answers {status}")
            for dump in ["panicked", "RUST_BACKTRACE", "Error {", "stack backtrace"]:
                self.expect(dump not in body, f"{path} shows {dump}")
            self.open(path)
            self.expect(self.text("h1") == "Not found", f"{path} is a 'not found' page")
            self.expect(words in self.text("#not-found-message").lower(), f"{path} says {words!r}")
        self.shot("not-found")

    def phone_width(self):
        self.driver.set_window_size(*PHONE)
        block = self.api(f"/v1/tx/{self.args.tx}")["receipt"]["height"]
        for path in ["/", f"/blocks/{block}", f"/txs/{self.args.tx}", f"/accounts/{self.args.account}",
                     "/registries", "/coin", "/governance", "/governance/proposals/0", "/status", "/blocks/999999999"]:
            self.open(path)
            overflow = self.driver.execute_script(
                "return document.documentElement.scrollWidth - document.documentElement.clientWidth")
            self.expect(overflow <= 1, f"{path} is {overflow}px wider than a phone's screen")
            if path in ("/", "/coin"):
                self.shot(f"{path.strip('/') or 'home'}-phone")
        self.driver.set_window_size(*DESKTOP)

    def run(self):
        try:
            # The account page looks back a bounded number of blocks: it
            # comes right after the transfer.
            for step in [self.follow_transfer, self.account, self.front_page,
                         self.notarized_files, self.proof_checker, self.coin_dashboard,
                         self.governance, self.lookups, self.status_page, self.not_found_pages,
                         self.phone_width]:
                step()
                print(f"ok  {step.__name__}")
        finally:
            self.driver.quit()
            shutil.rmtree(self.profile, ignore_errors=True)


def coins(minor):
    return f"{minor // 100}.{minor % 100:02d} ACU"


def flip_hex(text):
    middle = len(text) // 2
    return text[:middle] + ("0" if text[middle] != "0" else "1") + text[middle + 1:]


def utc(ms):
    at = datetime.datetime.fromtimestamp(ms // 1000, tz=datetime.timezone.utc)
    return at.strftime("%Y-%m-%d %H:%M:%S") + f".{ms % 1000:03d}"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--screenshots", required=True)
    parser.add_argument("--tx", required=True, help="a finalized transfer's hash")
    parser.add_argument("--summary", required=True, help="what its page says it does")
    parser.add_argument("--account", required=True, help="its sender's demo name")
    parser.add_argument("--notarized", required=True, help="a stamped file")
    parser.add_argument("--stranger", required=True, help="an account id nobody opened")
    parser.add_argument("--attestation", required=True, help="an attestation's id")
    parser.add_argument("--proof-out", required=True)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--chromedriver", default="/usr/bin/chromedriver")
    try:
        Check(parser.parse_args()).run()
    except AssertionError as failure:
        print(f"FAILED: {failure}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
