"""The load test's virtual user: one keep-alive HTTP connection, a browser session for the
pages and the role tokens for the API, and the weighted mix of what people on the floor and in
the QA office do (scan → trace, receiving, consumption, transfers, inspections, dashboards).

Every request is timed and checked against the statuses the step expects; anything else is an
error, kept with the start of its body. A step that fails ends its action (what follows
depended on it)."""

import datetime
import html
import http.client
import json
import random
import re
import time
import uuid
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit

from load_plant import SITE, Plant

PASSWORD = "Medtrace-demo-2026"  # nosec B105 # the demo plant's published password
# Who is signed in in each virtual user's browser, in turn.
BROWSER_USERS = ("qa", "supervisor", "regulatory", "auditor", "warehouse", "inspector", "admin")
DASHBOARDS = (
    "/",
    "/analytics/risk/",
    "/analytics/suppliers/",
    "/analytics/spc/",
    "/analytics/complaint-trends/",
    "/inventory/",
    "/inventory/expiry/",
    "/quality/inspections/",
    "/production/",
)
# htmx fragments a page loads as soon as it is shown (home tiles, the trace panel)
LOADED_FRAGMENT = re.compile(r'hx-get="([^"]+)"[^>]*hx-trigger="load"')
ID_SEGMENT = re.compile(r"(?<=/)\d+(?=/|$)")
REASON = "负载测试 / load test"
SIGN_IN = "sign in (before the clock)"
TIMEOUT_S = 60


@dataclass
class Sample:
    action: str
    request: str
    started: float  # time.monotonic()
    ms: float
    ok: bool


@dataclass
class Failure:
    action: str
    request: str
    status: int
    body: str


class Response:
    def __init__(self, status: int, headers, body: bytes):
        self.status, self.headers, self.body = status, headers, body

    def json(self):
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


@dataclass
class VirtualUser:
    number: int
    url: str
    plant: Plant
    rng: random.Random
    samples: list[Sample] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    cookies: dict[str, str] = field(default_factory=dict)
    # One lot shuttles between two bins; each user moves it out, then back, so no bin runs dry.
    moved_out: bool = False
    plans: dict[int, dict] = field(default_factory=dict)
    action: str = ""

    def __post_init__(self):
        parts = urlsplit(self.url)
        self.connection = http.client.HTTPConnection(
            parts.hostname, parts.port or 80, timeout=TIMEOUT_S
        )

    @property
    def browser_user(self) -> str:
        return BROWSER_USERS[self.number % len(BROWSER_USERS)]

    def call(self, method, path, *, token=None, body=None, form=None, expect=(200,)):
        """One request, timed from sending to the last byte of the answer; None when its
        status is not one the step expects (or the connection failed)."""
        headers = {"Accept-Language": "zh-hans" if self.number % 2 else "en"}
        data = None
        if token:
            headers["Authorization"] = f"Bearer {token}"
        elif self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            data, headers["Content-Type"] = json.dumps(body).encode(), "application/json"
        if form is not None:
            data = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        request = f"{method} {ID_SEGMENT.sub('{id}', urlsplit(path).path)}"
        start = time.perf_counter()
        try:
            self.connection.request(method, path, data, headers)
            answer = self.connection.getresponse()
            response = Response(answer.status, answer.headers, answer.read())
        except (OSError, http.client.HTTPException) as error:
            self.connection.close()
            self._record(request, start, ok=False)
            self.failures.append(Failure(self.action, request, 0, repr(error)))
            return None
        # A sync gunicorn worker closes after each answer; http.client reconnects next time.
        self._record(request, start, ok=response.status in expect)
        for header in answer.headers.get_all("Set-Cookie") or ():
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        if response.status not in expect:
            self.failures.append(Failure(self.action, request, response.status, response.text))
            return None
        return response

    def _record(self, request: str, start: float, *, ok: bool) -> None:
        elapsed = time.perf_counter() - start
        started = time.monotonic() - elapsed
        self.samples.append(Sample(self.action, request, started, elapsed * 1000, ok))

    def sign_in(self) -> None:
        self.action = SIGN_IN
        form = self.call("GET", "/accounts/login/")
        if form is None:
            return
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text).group(1)
        self.call(
            "POST",
            "/accounts/login/",
            form={"csrfmiddlewaretoken": token, "username": self.browser_user,
                  "password": PASSWORD},
            expect=(302,),
        )  # fmt: skip

    def page(self, path: str, *, expect=(200,)) -> Response | None:
        """A page as the browser shows it: the page, then the fragments htmx loads at once."""
        shown = self.call("GET", path, expect=expect)
        if shown is not None and shown.status == 200:
            for fragment in LOADED_FRAGMENT.findall(shown.text):
                if self.call("GET", html.unescape(fragment)) is None:
                    return None
        return shown

    def token(self, username: str) -> str:
        return self.plant.tokens[username]


# --- the mix ---------------------------------------------------------------------------------


def scan_and_trace(user: VirtualUser) -> None:
    """A handheld scans a label, the app asks what it names and traces it."""
    code, direction = user.rng.choice(user.plant.scan_codes)
    qa = user.token("qa")
    scanned = user.call("GET", "/api/v1/scan?" + urlencode({"code": code}), token=qa)
    if scanned is None:
        return
    found = scanned.json()
    identifier = found["digital_link"] or found["text"] or code
    user.call("GET", f"/api/v1/trace/{direction}?" + urlencode({"id": identifier}), token=qa)


def trace_page(user: VirtualUser) -> None:
    """The scan box of the web app: the code, its object's page and the trace panel."""
    code, _direction = user.rng.choice(user.plant.scan_codes)
    found = user.page("/trace/?" + urlencode({"q": code}), expect=(200, 302))
    if found is not None and found.status == 302:
        user.page(found.headers["Location"])


def dashboard(user: VirtualUser) -> None:
    user.page(user.rng.choice(DASHBOARDS))


def review_inspections(user: VirtualUser) -> None:
    inspector = user.token("inspector")
    listed = user.call(
        "GET", f"/api/v1/quality/inspections?site={SITE}&page_size=20", token=inspector
    )
    if listed is not None and listed.json()["items"]:
        chosen = user.rng.choice(listed.json()["items"])
        user.call("GET", f"/api/v1/quality/inspections/{chosen['id']}", token=inspector)


def record_inspection_result(user: VirtualUser) -> None:
    """The inspector enters (or corrects) one result of an inspection in progress: a pass, or
    a measurement within the limits."""
    inspector = user.token("inspector")
    listed = user.call(
        "GET",
        f"/api/v1/quality/inspections?site={SITE}&status=in_progress&page_size=50",
        token=inspector,
    )
    if listed is None or not listed.json()["items"]:
        return
    chosen = user.rng.choice(listed.json()["items"])
    detail = user.call("GET", f"/api/v1/quality/inspections/{chosen['id']}", token=inspector)
    plan = user.plans.get(chosen["plan_id"])
    if plan is None:
        fetched = user.call(
            "GET", f"/api/v1/quality/inspection-plans/{chosen['plan_id']}", token=inspector
        )
        if fetched is None:
            return
        plan = user.plans[chosen["plan_id"]] = fetched.json()
    if detail is None:
        return
    sampling = detail.json()["sampling"]
    characteristics = [c for c in plan["characteristics"] if c["defect_class"] in sampling]
    characteristic = user.rng.choice(characteristics)
    drawn = sampling[characteristic["defect_class"]]["sample_size"]
    result = {"characteristic_id": characteristic["id"], "sample": user.rng.randint(1, drawn)}
    if characteristic["kind"] == "attribute":
        result["passed"] = True
    else:
        result["value"] = conforming_value(characteristic)
    user.call(
        "POST",
        f"/api/v1/quality/inspections/{chosen['id']}/results",
        token=inspector,
        body={"results": [result]},
    )


def conforming_value(characteristic: dict) -> str:
    low, target, high = (characteristic[name] for name in ("lower_limit", "target", "upper_limit"))
    if target is not None:
        return target
    if low is not None and high is not None:
        return str((float(low) + float(high)) / 2)
    return str(float(high) / 2) if high is not None else str(float(low) * 1.1 + 1)


def receive(user: VirtualUser) -> None:
    """The clerk opens the expected receipts and receives a supplier lot against one; a new
    lot each time (unique supplier lot, fresh client key), a unit at a time so the lines stay
    open however long the run."""
    clerk = user.token("warehouse")
    expected = user.call(
        "GET", f"/api/v1/purchasing/expected-receipts?site={SITE}&page_size=50", token=clerk
    )
    if expected is None:
        return
    lines = [line for line in expected.json()["items"] if float(line["open_quantity"]) >= 1]
    if not lines:
        return
    line = user.rng.choice(lines)
    today = datetime.date.today()
    user.call(
        "POST",
        f"/api/v1/purchasing/lines/{line['line_id']}/receipts",
        token=clerk,
        body={
            "supplier_lot": f"LD{uuid.uuid4().hex[:10].upper()}",
            "quantity": "1",
            "manufactured_on": (today - datetime.timedelta(days=7)).isoformat(),
            "expires_on": (today + datetime.timedelta(days=1000)).isoformat(),
            "reason": REASON,
            "key": uuid.uuid4().hex,
        },
        expect=(201,),
    )


def consume(user: VirtualUser) -> None:
    """The stores issue one piece of a component lot to the line, the operator scans it into
    the work order: the line never holds less than the users issued."""
    lot, store = user.plant.issue_from
    issued = user.call(
        "POST",
        "/api/v1/inventory/floor/issue",
        token=user.token("warehouse"),
        body={"site": SITE, "object": lot, "quantity": "1", "source": store,
              "destination": user.plant.line, "key": uuid.uuid4().hex},
    )  # fmt: skip
    if issued is None:
        return
    user.call(
        "POST",
        f"/api/v1/production/work-orders/{user.plant.work_order}/consumptions",
        token=user.token("operator"),
        # The reason covers runs that together use more than the order's BOM quantity.
        body={"code": lot, "quantity": "1", "reason": REASON, "key": uuid.uuid4().hex},
        expect=(201,),
    )


def transfer(user: VirtualUser) -> None:
    lot, home = user.plant.transfer_from
    there = user.plant.transfer_to
    source, destination = (there, home) if user.moved_out else (home, there)
    moved = user.call(
        "POST",
        "/api/v1/inventory/floor/transfer",
        token=user.token("warehouse"),
        body={"site": SITE, "object": lot, "quantity": "1", "source": source,
              "destination": destination, "task": "transfer", "key": uuid.uuid4().hex},
    )  # fmt: skip
    if moved is not None:
        user.moved_out = not user.moved_out


# name → (what it does, default weight)
MIX = {
    "scan → trace (API)": (scan_and_trace, 25),
    "scan → trace page": (trace_page, 10),
    "dashboards": (dashboard, 20),
    "inspections: list, detail": (review_inspections, 12),
    "inspection result": (record_inspection_result, 6),
    "receiving": (receive, 7),
    "issue → consumption": (consume, 10),
    "stock transfer": (transfer, 10),
}


def run(user: VirtualUser, *, until: float, think: tuple[float, float]) -> None:
    """Actions drawn from the mix with a think time after each, until the clock runs out."""
    names = list(MIX)
    weights = [MIX[name][1] for name in names]
    time.sleep(user.rng.uniform(0, think[1]))  # users do not all start at the same instant
    while time.monotonic() < until:
        user.action = user.rng.choices(names, weights)[0]
        MIX[user.action][0](user)
        time.sleep(user.rng.uniform(*think))
    user.connection.close()
