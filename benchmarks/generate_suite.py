"""Write a deterministic synthetic monorepo test suite to benchmark against.

    python benchmarks/generate_suite.py OUT_DIR --files 2000 [--seed 0]

The tree looks like the suites flake8-ssot is written for::

    OUT_DIR/setup.cfg                        [flake8] section with ssot-* options
    OUT_DIR/shared/isolated_environment.py   the one module allowed to touch os.environ
    OUT_DIR/services/<service>/app/<package>/<module>.py
    OUT_DIR/services/<service>/tests/{unit,integration,e2e}/[<area>/]test_*.py
    OUT_DIR/services/<service>/tests/{unit,integration,e2e}/conftest.py
    OUT_DIR/services/<service>/backups/test_*.py and *.py.backup (stale copies)

Test modules carry Business Value Justification docstrings in the
spellings real suites use (and a few defective ones), derive from the SSOT
bases (and sometimes from ``unittest.TestCase``), use pytest markers,
``get_env()``, WebSocket agent events, and in some integration and e2e
files mocks, patches and ``os.environ``.  About 1.5% of files do not parse
and some declare a latin-1 coding cookie.

``--files`` counts every Python source written (``.py`` and
``.py.backup``).  The output is a pure function of ``--files`` and
``--seed``: each file draws from its own ``random.Random`` seeded with
``"<seed>/<index>"``, so the same arguments give the same bytes.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
from pathlib import PurePosixPath

SERVICES = ("netra_backend", "auth_service", "analytics_service", "frontend_gateway",
            "billing_service", "notification_service", "tool_runtime", "data_pipeline")
AREAS = ("agents", "websocket_core", "thread_management", "database", "cache", "auth",
         "configuration", "tool_dispatcher", "communication", "cross_system", "")
DOMAINS = ("agent_execution", "thread_creation", "thread_getting", "websocket_events",
           "jwt_validation", "session_persistence", "tool_dispatcher_core", "message_routing",
           "user_isolation", "cache_consistency", "config_validation", "circuit_breaker",
           "event_streaming", "data_retention", "oauth_flow", "cost_optimization")
ASPECTS = ("integration", "comprehensive", "lifecycle", "isolation", "performance",
           "edge_cases", "security", "recovery", "basic", "concurrency")
PACKAGES = ("agents", "websocket_core", "db", "services", "core", "routes", "schemas", "clients")
CRITICAL_EVENTS = ("agent_started", "agent_thinking", "tool_executing", "tool_completed",
                   "agent_completed")
# Misspellings of the critical event names, as they creep into real suites.
EVENT_TYPOS = ("agent_startd", "tool_executed", "agent_complete", "agent_thinkng")

SEGMENTS = (
    "Platform/Internal - System Stability", "All (Free, Early, Mid, Enterprise)",
    "Enterprise", "Mid, Enterprise", "Free -> Early conversion", "Platform/Internal",
    "All (Free -> Enterprise)", "Early, Mid",
)
BAD_SEGMENTS = ("Test Infrastructure", "Gold customers", "Developers")
GOALS = ("Ensure agent_started events enable meaningful chat interactions",
         "Reliable agent execution for every chat turn", "Prevent cross-user data leakage",
         "Keep the login flow available during deploys", "Stability", "Retention and conversion")
VALUES = ("Users see when agents begin processing and trust the AI is working",
          "Users receive complete agent responses instead of silent failures",
          "Enterprise customers keep their data isolated", "No lockouts after token refresh")
STRATEGIC = ("MISSION CRITICAL - WebSocket events are fundamental to chat value",
             "Protects the $500K+ ARR chat experience", "Enables Enterprise tier expansion",
             "Supports $30K+ MRR through reliable chat")
STRATEGIC_KEYS = ("Strategic Impact", "Strategic Impact", "Revenue Impact", "Strategic/Revenue Impact")
PLACEHOLDERS = ("TBD", "TODO", "N/A", "...")
SSOT_BASES = {
    "SSotBaseTestCase": "test_framework.ssot.base_test_case",
    "SSotAsyncTestCase": "test_framework.ssot.base_test_case",
    "BaseIntegrationTest": "test_framework.base_integration_test",
    "DatabaseIntegrationTest": "test_framework.base_integration_test",
    "WebSocketIntegrationTest": "test_framework.base_integration_test",
}
CATEGORIES = ("unit", "integration", "e2e")
# Two ways suites import unittest.mock, with the patch decorator and the
# mock constructions each one spells.
MOCK_IMPORTS = ("from unittest.mock import AsyncMock, MagicMock, patch",
                "import unittest.mock as um\nfrom unittest import mock")
MOCK_PATCH = ("patch", "mock.patch")
MOCK_USES = (
    ("websocket_manager = MagicMock()\nwebsocket_manager.send_event = AsyncMock()",
     'with patch("netra_backend.app.db.session.get_session") as get_session:\n'
     "    get_session.return_value = None"),
    ('websocket_manager = um.MagicMock()\nllm = mock.AsyncMock(return_value={"content": "done"})',
     'with um.patch.object(service, "execute") as execute:\n    execute.return_value = {"status": "ok"}'),
)


def words(name: str) -> str:
    return name.replace("_", " ")


def camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("_") if part)


class Writer:
    """Accumulates indented source lines."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, text: str = "", indent: int = 0) -> None:
        self.lines.extend(("    " * indent + line) if line else "" for line in text.split("\n"))

    def __len__(self) -> int:
        return len(self.lines)

    def text(self) -> str:
        return "\n".join(self.lines) + "\n"


def bvj_block(rng: random.Random, indent: int) -> str:
    """A BVJ block in one of the real spellings; about one in eight is defective."""
    strategic_key = rng.choice(STRATEGIC_KEYS)
    fields = [["Segment", rng.choice(SEGMENTS)],
              [rng.choice(("Business Goal", "Business Goal", "Goal")), rng.choice(GOALS)],
              ["Value Impact", rng.choice(VALUES)],
              [strategic_key, rng.choice(STRATEGIC)]]
    defect = rng.random()
    if defect < 0.04:
        del fields[rng.randrange(1, 4)]
    elif defect < 0.08:
        fields[rng.randrange(1, 4)][1] = rng.choice(PLACEHOLDERS)
    elif defect < 0.12:
        fields[0][1] = rng.choice(BAD_SEGMENTS)
    style = rng.randrange(4)
    if style == 0:
        head, lines = "Business Value Justification (BVJ):", [f"- {k}: {v}" for k, v in fields]
    elif style == 1:
        head, lines = "BVJ:", [f"{n}. **{k}:** {v}" for n, (k, v) in enumerate(fields, 1)]
    elif style == 2:
        head, lines = "**Business Value Justification:**", [f"- **{k}**: {v}" for k, v in fields]
    else:
        head, lines = "Business Value Justification:", [f"    {k}: {v}" for k, v in fields]
    pad = "    " * indent
    return "\n".join([head, *lines]).replace("\n", "\n" + pad)


def render_test_module(rng: random.Random, category: str, domain: str, target_lines: int) -> str:
    w = Writer()
    uses_mocks = category != "unit" and rng.random() < 0.3
    uses_environ = rng.random() < 0.12
    async_style = rng.random() < 0.5
    if async_style:
        base = "SSotAsyncTestCase"
    elif category == "unit":
        base = "SSotBaseTestCase"
    else:
        base = rng.choice(("BaseIntegrationTest", "DatabaseIntegrationTest", "WebSocketIntegrationTest"))
    bvj_where = rng.choices(("module", "tests", "none"), (85, 10, 5))[0]

    title = f"{camel(category)} tests for {words(domain)}."
    if bvj_where == "module":
        w.add(f'"""{title}\n\n{bvj_block(rng, 0)}\n"""')
    else:
        w.add(f'"""{title}"""')
    w.add()
    imports = ["import asyncio", "import time", "import uuid"]
    if uses_environ:
        imports.append("import os")
    mock_style = rng.randrange(len(MOCK_IMPORTS))
    if uses_mocks:
        imports.append(MOCK_IMPORTS[mock_style])
    legacy_base = rng.random() < 0.08  # the first class still derives from unittest.TestCase
    if legacy_base:
        imports.append("import unittest")
    w.add("\n".join(sorted(imports)))
    w.add("\nimport pytest\n")
    w.add(f"from {SSOT_BASES[base]} import {base}")
    w.add(f"from netra_backend.app.{rng.choice(PACKAGES)}.{domain} import {camel(domain)}Service")
    w.add("from shared.isolated_environment import get_env")
    if category != "unit":
        w.add("from test_framework.ssot.e2e_auth_helper import E2EAuthHelper, E2EWebSocketAuthHelper")
    w.add()
    if category != "unit" and rng.random() < 0.3:
        w.add(f"pytestmark = [pytest.mark.{category}, pytest.mark.real_services]\n")
    w.add(f"CRITICAL_EVENTS = {list(CRITICAL_EVENTS)!r}\n")

    class_index = 0
    while len(w) < target_lines:
        class_index += 1
        legacy = legacy_base and class_index == 1
        markers = []
        if category != "unit" and rng.random() < 0.7:
            markers.append(f"@pytest.mark.{category}")
        if category != "unit" and rng.random() < 0.4:
            markers.append("@pytest.mark.real_services")
        w.add("")
        for marker in markers:
            w.add(marker)
        name = f"Test{camel(domain)}{camel(rng.choice(ASPECTS))}{class_index}"
        w.add(f"class {name}({'unittest.TestCase' if legacy else base}):")
        w.add(f'"""{words(domain).capitalize()} against {"real services" if category != "unit" else "fakes"}."""',
              1)
        w.add()
        # asyncSetUp belongs on SSotAsyncTestCase; now and then it lands on a sync base.
        if (async_style and rng.random() < 0.5) or rng.random() < 0.02:
            w.add("async def asyncSetUp(self):", 1)
            w.add("await super().asyncSetUp()\nself.env = get_env()", 2)
        else:
            w.add("def setup_method(self, method=None):", 1)
            w.add('self.env = get_env()\nself.environment = self.env.get("TEST_ENV", "test")', 2)
            w.add("self.user_id = f\"user-{uuid.uuid4().hex[:8]}\"", 2)
        for method_index in range(rng.randint(3, 8)):
            w.add()
            add_test_method(w, rng, domain, method_index, category, mock_style if uses_mocks else None,
                            uses_environ, async_style, bvj_where == "tests")
            if len(w) >= target_lines:
                break
    return w.text()


def add_test_method(w: Writer, rng: random.Random, domain: str, index: int, category: str,
                    mock_style: int | None, uses_environ: bool, async_style: bool, with_bvj: bool) -> None:
    """One test; ``mock_style`` indexes MOCK_IMPORTS, None when the module uses no mocks."""
    uses_mocks = mock_style is not None
    aspect = rng.choice(ASPECTS)
    fixture = ", real_services_fixture" if category != "unit" else ""
    if uses_mocks and rng.random() < 0.25:
        fixture += ", mocker"
    prefix = "async def" if async_style else "def"
    if uses_mocks and "mock" not in fixture and rng.random() < 0.3:
        target = rng.choice(('"netra_backend.app.clients.llm_client.LLMClient.complete"',
                             '"auth_service.app.oauth_provider.exchange"'))
        w.add(f"@{MOCK_PATCH[mock_style]}({target})", 1)
        fixture += ", patched"
    if async_style:
        w.add("@pytest.mark.asyncio", 1)
    w.add(f"{prefix} test_{domain}_{aspect}_{index}(self{fixture}):", 1)
    doc = f"{words(domain).capitalize()} {words(aspect)} keeps users isolated."
    w.add(f'"""{doc}\n\n{bvj_block(rng, 2)}\n"""' if with_bvj else f'"""{doc}"""', 2)
    w.add(f'service = {camel(domain)}Service(user_id=self.user_id, environment=self.environment)', 2)
    if category != "unit":
        w.add('db = real_services_fixture["db"]\nredis = real_services_fixture["redis"]', 2)
        w.add('auth = E2EAuthHelper(environment=self.env.get("TEST_ENV", "test"))', 2)
    if uses_mocks and rng.random() < 0.5:
        w.add(rng.choice(MOCK_USES[mock_style]) if "mocker" not in fixture
              else 'mocker.patch("netra_backend.app.cache.redis_client.get")', 2)
    if uses_environ and rng.random() < 0.4:
        w.add(rng.choice(('os.environ["JWT_SECRET_KEY"] = "test-secret"',
                          'api_url = os.environ.get("BACKEND_URL", "http://localhost:8000")',
                          'assert os.getenv("REDIS_HOST") is not None')), 2)
    events = list(CRITICAL_EVENTS)
    if rng.random() < 0.03:
        events[rng.randrange(5)] = rng.choice(EVENT_TYPOS)
    awaited = "await " if async_style else ""
    w.add("received = []", 2)
    w.add("started = time.monotonic()", 2)
    for step in range(rng.randint(2, 6)):
        w.add(f"for attempt in range({rng.randint(2, 5)}):", 2)
        w.add(f'result = {awaited}service.run_step("{aspect}", step={step}, attempt=attempt)', 3)
        w.add('if result.get("status") == "retry":', 3)
        if async_style:
            delay = rng.choices(("0.01", "0.1", "1"), (60, 38, 2))[0]
            w.add(f"await asyncio.sleep({delay})\ncontinue", 4)
        else:
            w.add("continue", 4)
        w.add('received.extend(event["type"] for event in result.get("events", []))', 3)
        w.add(f'assert result["user_id"] == self.user_id, f"step {step} leaked another user\'s context"', 3)
    w.add(f"expected = {events!r}", 2)
    w.add("assert [e for e in received if e in expected] == expected[: len(received)]", 2)
    w.add(f"assert time.monotonic() - started < {rng.choice((2, 5, 10, 30))}, "
          '"slower than the user-experience budget"', 2)


def render_conftest(rng: random.Random, category: str) -> str:
    w = Writer()
    w.add(f'"""Shared fixtures for {category} tests."""\n')
    w.add("import pytest\n")
    w.add("from shared.isolated_environment import get_env")
    w.add("from test_framework.real_services import RealServicesManager\n")
    for name in rng.sample(("real_services_fixture", "websocket_client", "auth_token", "isolated_env",
                            "clickhouse_client", "redis_client"), 4):
        w.add(f'\n@pytest.fixture(scope="{rng.choice(("function", "session", "module"))}")')
        w.add(f"async def {name}():")
        w.add(f'"""Provide {words(name)} for the duration of the test."""', 1)
        w.add("env = get_env()\nmanager = RealServicesManager(env)\nawait manager.start()", 1)
        w.add(f'try:\n    yield manager.get("{name}")\nfinally:\n    await manager.stop()', 1)
    return w.text()


def render_app_module(rng: random.Random, package: str, domain: str, target_lines: int) -> str:
    w = Writer()
    w.add(f'"""{camel(domain)} {package} for the Netra platform."""\n')
    reads_environ = rng.random() < 0.1
    w.add("from __future__ import annotations\n")
    w.add("import logging\nimport os" if reads_environ else "import logging")
    w.add("from dataclasses import dataclass, field\nfrom typing import Any\n")
    w.add("from shared.isolated_environment import get_env\n")
    w.add("logger = logging.getLogger(__name__)")
    if reads_environ:
        w.add('DEFAULT_REGION = os.environ.get("GCP_REGION", "us-central1")')
    index = 0
    while len(w) < target_lines:
        index += 1
        name = f"{camel(domain)}{camel(rng.choice(('service', 'manager', 'factory', 'handler')))}{index}"
        w.add(f"\n\n@dataclass\nclass {name}:")
        w.add(f'"""Runs {words(domain)} for one user context."""\n', 1)
        w.add("user_id: str\nenvironment: str = \"test\"\nstate: dict[str, Any] = field(default_factory=dict)", 1)
        for method in range(rng.randint(3, 7)):
            w.add(f"\ndef step_{method}(self, payload: dict[str, Any]) -> dict[str, Any]:", 1)
            w.add('"""One step of the workflow; returns the events it emitted."""', 2)
            w.add(f'events = [{{"type": "{rng.choice(CRITICAL_EVENTS)}", "user_id": self.user_id}}]', 2)
            w.add('if payload.get("retry"):\n    logger.info("retrying %s", self.user_id)\n'
                  '    return {"status": "retry", "user_id": self.user_id}', 2)
            w.add(f'self.state["{domain}"] = payload', 2)
            w.add('timeout = float(get_env().get("STEP_TIMEOUT", "30"))', 2)
            w.add('return {"status": "ok", "user_id": self.user_id, "events": events, "timeout": timeout}', 2)
    return w.text()


def isolated_environment() -> str:
    return '''"""The one module allowed to read the process environment."""

import os
import threading


class IsolatedEnvironment:
    """A per-test snapshot of the process environment."""

    _lock = threading.Lock()

    def __init__(self):
        self._values = dict(os.environ)

    def get(self, key, default=None):
        with self._lock:
            return self._values.get(key, default)

    def set(self, key, value):
        with self._lock:
            self._values[key] = value


_INSTANCE = IsolatedEnvironment()


def get_env():
    return _INSTANCE
'''


SETUP_CFG = """[flake8]
max-line-length = 120
ssot-environ-allowed-paths = shared/isolated_environment.py
ssot-mock-allowed-targets = *.oauth_provider.*
"""


def break_syntax(rng: random.Random, source: str) -> str:
    """The half-finished edits that leave a file unparsable."""
    lines = source.split("\n")
    candidates = [i for i, line in enumerate(lines) if line.strip().startswith(("def ", "async def ", "class "))]
    at = rng.choice(candidates or [len(lines) - 2])
    kind = rng.randrange(3)
    if kind == 0:
        lines[at] = lines[at].rstrip(":")  # missing colon
    elif kind == 1:
        lines.insert(at + 1, "      result = (")  # bad indent, unclosed bracket
    else:
        lines.insert(at + 1, "<<<<<<< HEAD")  # merge-conflict marker
    return "\n".join(lines)


def with_latin1_cookie(source: str) -> bytes:
    return ("# -*- coding: latin-1 -*-\n" + source + '\nLOCALE_SAMPLE = "café déjà vu"\n').encode("latin-1")


# Kinds of file and their shares (percent); "app" modules are the non-test files.
KIND_WEIGHTS = {"unit": 36, "integration": 28, "e2e": 11, "app": 22, "backup": 3}


def kind_weights(app_share: float) -> list[float]:
    """KIND_WEIGHTS with ``app`` at ``app_share`` percent, the others scaled to the rest."""
    others = 100 - KIND_WEIGHTS["app"]
    return [app_share if kind == "app" else weight * (100 - app_share) / others
            for kind, weight in KIND_WEIGHTS.items()]


def plan(files: int, seed: int, app_share: float = KIND_WEIGHTS["app"]) -> list[tuple[str, str]]:
    """(relative path, kind) for every file, in write order."""
    layout = random.Random(f"{seed}/layout")
    services = list(SERVICES[: max(2, min(len(SERVICES), files // 250))])
    if files > 250 * len(SERVICES):
        services += [f"{name}_v{n}" for n in range(2, files // (250 * len(SERVICES)) + 2) for name in SERVICES]
    planned: list[tuple[str, str]] = [("shared/isolated_environment.py", "isolated")]
    used = {planned[0][0]}
    with_conftest: set[str] = set()
    weights = kind_weights(app_share)
    while len(planned) < files:
        service = services[len(planned) % len(services)]
        kind = layout.choices(tuple(KIND_WEIGHTS), weights)[0]
        domain = layout.choice(DOMAINS)
        if kind == "app":
            folder = f"services/{service}/app/{layout.choice(PACKAGES)}"
            name = f"{domain}.py"
        elif kind == "backup":
            folder = f"services/{service}/backups"
            name = f"test_{domain}_{layout.choice(ASPECTS)}.py" + layout.choice((".backup", ""))
        else:
            category_folder = f"services/{service}/tests/{kind}"
            if category_folder not in with_conftest:
                with_conftest.add(category_folder)
                planned.append((f"{category_folder}/conftest.py", f"conftest:{kind}"))
                used.add(planned[-1][0])
                continue
            area = layout.choice(AREAS)
            folder = category_folder + (f"/{area}" if area else "")
            name = f"test_{domain}_{layout.choice(ASPECTS)}.py"
        path = f"{folder}/{name}"
        batch = 1
        while path in used:
            batch += 1
            stem, dot, suffix = name.partition(".")
            path = f"{folder}/{stem}_batch{batch}{dot}{suffix}"
        used.add(path)
        planned.append((path, f"{kind}:{domain}"))
    return planned


def render(path: str, kind: str, seed: int, index: int) -> bytes:
    rng = random.Random(f"{seed}/{index}")
    category, _, domain = kind.partition(":")
    size = rng.randint(1500, 1900) if rng.random() < 0.005 else rng.randint(100, 600)
    if category == "isolated":
        return isolated_environment().encode()
    if category == "conftest":
        source = render_conftest(rng, domain)
    elif category == "app":
        source = render_app_module(rng, PurePosixPath(path).parent.name, domain, size)
    elif category == "backup":
        source = render_test_module(rng, rng.choice(CATEGORIES), domain, size)
    else:
        source = render_test_module(rng, category, domain, size)
    if rng.random() < 0.015:
        source = break_syntax(rng, source)
    if rng.random() < 0.03:
        return with_latin1_cookie(source)
    return source.encode()


def generate(out_dir: str, files: int, seed: int = 0, app_share: float = KIND_WEIGHTS["app"]) -> list[str]:
    """Write the suite; returns the relative paths written (setup.cfg not included)."""
    written = []
    with open(os.path.join(out_dir, "setup.cfg"), "w", encoding="utf-8") as handle:
        handle.write(SETUP_CFG)
    for index, (path, kind) in enumerate(plan(files, seed, app_share)):
        target = os.path.join(out_dir, *path.split("/"))
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "wb") as handle:
            handle.write(render(path, kind, seed, index))
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("out_dir")
    parser.add_argument("--files", type=int, default=2000, help="Python sources to write (default 2000)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--app-share", type=float, default=KIND_WEIGHTS["app"], metavar="PERCENT",
                        help="share of application (non-test) modules, in percent "
                             f"(default {KIND_WEIGHTS['app']}; a typical monorepo has about 50)")
    args = parser.parse_args(argv)
    if args.files < 1:
        parser.error("--files must be at least 1")
    if not 0 <= args.app_share <= 100:
        parser.error("--app-share must be between 0 and 100")
    os.makedirs(args.out_dir, exist_ok=True)
    written = generate(args.out_dir, args.files, args.seed, args.app_share)
    print(f"wrote {len(written)} files under {args.out_dir}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
