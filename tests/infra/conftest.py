"""The real app (`infra.app.build_app`), synthesized once per stage per test process.

Under `pytest -n 2 --dist loadgroup`, dev tests (xdist group "infra-dev") and prod tests
("infra-prod") run in separate workers, so the two synths run in parallel.
"""

from pathlib import Path

import pytest

from infra.app import build_app
from tests.infra.assembly import Assembly


def synthesize(stage: str, outdir: Path, **context: str) -> Assembly:
    """Synthesize the app for `stage` (with more `-c` context) into `outdir`: fails the test
    if cdk-nag reports anything."""
    app = build_app(context={"stage": stage, **context}, outdir=str(outdir))
    try:
        app.synth()
    except RuntimeError as error:  # jsii's error, carrying the validation report
        # No traceback: pytest would re-render one through aws_cdk's huge modules for every test.
        pytest.fail(f"synthesizing {stage} with {context} failed: {error}", pytrace=False)
    return Assembly.of(app, outdir, stage)


@pytest.fixture(scope="session")
def dev(tmp_path_factory: pytest.TempPathFactory) -> Assembly:
    return synthesize("dev", tmp_path_factory.mktemp("cdk-out-dev"))


@pytest.fixture(scope="session")
def prod(tmp_path_factory: pytest.TempPathFactory) -> Assembly:
    return synthesize("prod", tmp_path_factory.mktemp("cdk-out-prod"))
