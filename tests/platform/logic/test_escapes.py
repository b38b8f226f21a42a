"""The escape and exhaustion corpus: published RestrictedPython advisories plus our own attempts.

Each must be refused (at compile time, with a position, or at run time with a
clear error) or contained by a limit — never succeed.
"""

from __future__ import annotations

import pytest

from metacrm.platform.logic.limits import LimitExceeded, SandboxError
from metacrm.platform.logic.policy import problems
from metacrm.platform.logic.sandbox import evaluate, run
from metacrm.platform.logic.limits import SCRIPT_LIMITS
from metacrm.platform.logic.worker_client import ScriptRunner

ADVISORIES = {
    # CVE-2023-37271: generator frame walk to the caller's globals
    "cve_2023_37271": "g = (x for x in [1])\nf = g.gi_frame.f_back.f_back\nresult = f.f_globals",
    # CVE-2023-41039: attribute traversal through str.format / format_map
    "cve_2023_41039_format": "result = '{0.__class__.__base__.__subclasses__}'.format('')",
    "cve_2023_41039_format_map": "result = '{x.__class__}'.format_map({'x': 1})",
    "safer_getattr_format": "f = getattr('', 'format')\nresult = f('{0.__class__}', 1)",
    # CVE-2024-47532: objects leaked through AttributeError.obj / the string module
    "cve_2024_47532_obj": "try:\n    (1).nope\nexcept AttributeError as e:\n    result = e.obj",
    "cve_2024_47532_string": "import string\nresult = string.Formatter().get_field('0.__class__', [1], {})",
    # CVE-2025-22153: try/except* type confusion
    "cve_2025_22153": "try:\n    pass\nexcept* ValueError:\n    pass",
    # guard names shadowed through positional-only parameters
    "posonly_shadowing": "def f(_getattr_=lambda o, n: getattr(o, n), /):\n    return ''.__class__\nresult = f()",
}
OWN = {
    "open_file": "result = open('/etc/passwd').read()",
    "import_os": "import os\nresult = os.system('id')",
    "dunder_import": "result = __import__('os')",
    "sys_via_builtins": "result = __builtins__",
    "subclasses": "result = ().__class__.__bases__[0].__subclasses__()",
    "type_walk": "result = type(1).mro()",
    "eval_exec": "result = eval('1')",
    "globals": "result = globals()",
    "frames_via_exception": "try:\n    1/0\nexcept Exception as e:\n    result = e.__traceback__.tb_frame",
    "generator_frame_attr": "g = (x for x in [1])\nresult = g.gi_code",
    "fstring_traversal": "x = 1\nresult = f'{x.__class__}'",
    "global_stmt": "def f():\n    global today\n    today = 1\nf()",
    "class_def": "class A:\n    pass",
    "yield": "def f():\n    yield 1\nresult = list(f())",
    "getattr_builtin": "result = getattr(1, 'real')",
    "vars": "result = vars()",
}


@pytest.mark.parametrize("name", sorted({**ADVISORIES, **OWN}))
def test_escape_is_refused(name: str) -> None:
    source = {**ADVISORIES, **OWN}[name]
    found = problems(source, "exec")
    if found:
        assert found[0].line >= 1 and found[0].column >= 1 and found[0].message
        return
    with pytest.raises(SandboxError):
        run(source, {}, limits=SCRIPT_LIMITS)


EXHAUSTION = [
    "sum(range(10**11))", "10**10**10", "'x' * 10**9", "[0] * 10**9", "1 << 10**9", "'%1000000000d' % 1",
    "'%*d' % (10**9, 1)", "f'{1:>1000000000}'", "(lambda f: f(f))(lambda f: f(f))",
    "[x for x in range(10**6) for y in range(10**6)]", "max(x for x in range(10**6) for y in range(10**6))",
    "'ab'.replace('', 'x' * 10**6)", "''.join(['x' * 999999] * 999)", "str([['x' * 900000] * 900000])",
    "sorted(range(10**7))", "list(range(10**7))", "add_business_days(today(), 10**9)",
]


@pytest.mark.parametrize("source", EXHAUSTION)
def test_exhaustion_is_contained_in_process(source: str) -> None:
    with pytest.raises(LimitExceeded):
        evaluate(source, {})


def test_mutating_globals_or_helpers_is_refused() -> None:
    for source in ("today.x = 1", "concat.__defaults__ = 1", "current_user.id = 5"):
        found = problems(source, "exec")
        if not found:
            with pytest.raises(SandboxError):
                run(source, {"current_user": None}, limits=SCRIPT_LIMITS)
    # rebinding a helper name inside a script only changes that run's globals
    run("today = 5", {}, limits=SCRIPT_LIMITS)
    assert evaluate("today() is not None", {})


def test_bare_except_cannot_swallow_the_deadline() -> None:
    source = "n = 0\nwhile True:\n    try:\n        while True:\n            n += 1\n    except:\n        pass\n"
    with pytest.raises(LimitExceeded):
        run(source, {}, limits=SCRIPT_LIMITS.__class__(seconds=0.05))


@pytest.fixture(scope="module")
def runner() -> ScriptRunner:
    r = ScriptRunner(SCRIPT_LIMITS.__class__(seconds=1.0, cpu_seconds=1, memory_bytes=384 * 2**20))
    yield r
    r.stop()


@pytest.mark.parametrize("code", [
    "x = matches('(a+)+$', 'a' * 40 + 'b')",  # catastrophic regex: one C call, only the kill stops it
    "while True:\n    pass",
    "l = []\nwhile True:\n    l.append([0] * 1000000)",
    "def f(n):\n    return f(n + 1)\nf(0)",
])
def test_worker_contains_cpu_memory_and_recursion(runner: ScriptRunner, code: str) -> None:
    with pytest.raises(LimitExceeded):
        runner.run({"code": code})
    assert runner.run({"code": "result = 1 + 1"})["result"] == 2  # a fresh or surviving worker answers


def test_worker_has_no_database_url_or_file_access(runner: ScriptRunner) -> None:
    with pytest.raises(SandboxError):
        runner.run({"code": "result = open('/proc/self/environ').read()"})
