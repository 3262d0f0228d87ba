"""`make synth`'s command, run as a user runs it: offline, with no AWS credentials at all."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_python_m_infra_app_writes_the_template_without_aws_credentials(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env["AWS_SHARED_CREDENTIALS_FILE"] = env["AWS_CONFIG_FILE"] = str(tmp_path / "none")

    done = subprocess.run(
        [sys.executable, "-m", "infra.app", "--outdir", str(tmp_path / "out"), "-c", "stage=prod"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert done.returncode == 0, done.stderr[-2000:]
    template = json.loads((tmp_path / "out" / "Billfold-prod.template.json").read_text())
    tables = [r for r in template["Resources"].values() if r["Type"] == "AWS::DynamoDB::Table"]
    assert len(tables) == 1
    assert tables[0]["DeletionPolicy"] == "Retain"
