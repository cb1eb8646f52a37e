from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

FIXTURE = Path(__file__).parent.parent / "fixtures" / "mini_store.json"


def run(args: list[str], home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PORTSIDE_HOME": str(home), "PORTSIDE_NOW": "2026-11-26T12:00:00Z", "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "assistant.cli.main", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_import_show_find(tmp_path: Path) -> None:
    r = run(["import", str(FIXTURE)], tmp_path)
    assert r.returncode == 0, r.stderr
    again = run(["import", str(FIXTURE)], tmp_path)
    assert "│ orders    │       0 │       0 │         2 │" in again.stdout
    show = run(["orders", "show", "#BR-100234"], tmp_path)
    assert show.returncode == 0 and "LB123456789BR" in show.stdout and "Ana Souza" in show.stdout
    find = run(["orders", "find", "--email", "luis@example.com"], tmp_path)
    assert find.returncode == 0 and "MX-200001" in find.stdout


def test_invalid_import_exits_1_with_paths(tmp_path: Path) -> None:
    bad = json.loads(FIXTURE.read_text(encoding="utf-8"))
    bad["orders"][0]["status"] = "lost_in_space"
    bad["orders"][1]["customer_id"] = "cus_x"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(bad), encoding="utf-8")
    r = run(["import", str(path)], tmp_path)
    assert r.returncode == 1
    assert "$.orders[0].status" in r.stderr and "Traceback" not in r.stderr
    assert run(["orders", "show", "BR-100234"], tmp_path).returncode == 1  # nothing written


def test_unreadable_files(tmp_path: Path) -> None:
    (tmp_path / "broken.json").write_text("{not json", encoding="utf-8")
    r = run(["import", str(tmp_path / "broken.json")], tmp_path)
    assert r.returncode == 1 and "not valid JSON" in r.stderr and "Traceback" not in r.stderr
    missing = run(["import", str(tmp_path / "nope.json")], tmp_path)
    assert missing.returncode == 1 and "file not found" in missing.stderr


def test_missing_order_is_an_error(tmp_path: Path) -> None:
    r = run(["orders", "show", "XX-000000"], tmp_path)
    assert r.returncode == 1 and "not found" in r.stderr


def test_demo_data_is_deterministic(tmp_path: Path) -> None:
    a = run(
        ["demo-data", "--orders", "40", "--seed", "5", "--json", str(tmp_path / "a.json")], tmp_path / "a"
    )
    b = run(
        ["demo-data", "--orders", "40", "--seed", "5", "--json", str(tmp_path / "b.json")], tmp_path / "b"
    )
    assert a.returncode == 0 and b.returncode == 0, a.stderr
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()


def test_serve_refuses_a_broken_policy_file_at_start(tmp_path: Path) -> None:
    default = (Path(__file__).parents[2] / "assistant" / "policy" / "default.yaml").read_text(encoding="utf-8")
    bad = tmp_path / "policy.yaml"
    bad.write_text(default.replace("offers:\n", "offers:\n  faq-warranty: refund_everything\n"), encoding="utf-8")
    for policy, why in ((bad, "refund_everything"), (tmp_path / "missing.yaml", "No such file")):
        env = {**os.environ, "PORTSIDE_HOME": str(tmp_path / "home"), "PORTSIDE_POLICY_FILE": str(policy),
               "COLUMNS": "400"}
        r = subprocess.run([sys.executable, "-m", "assistant.cli.main", "serve", "--port", "1"],
                           capture_output=True, text=True, env=env, timeout=120)
        assert r.returncode == 1 and "policy file" in r.stderr and why in r.stderr, r.stderr
        assert "Traceback" not in r.stderr
