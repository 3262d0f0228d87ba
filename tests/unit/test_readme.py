"""The README's route list is the route table's: a new route cannot go undocumented."""

from pathlib import Path

from billfold_lambda.routes import ROUTES

README = Path(__file__).resolve().parents[2] / "README.md"


def test_every_route_in_the_table_is_listed_in_the_readme() -> None:
    text = README.read_text()
    missing = [f"{r.method} {r.path}" for r in ROUTES if f"`{r.method} {r.path}`" not in text]
    assert missing == []


def test_the_readme_opens_with_the_two_setup_commands() -> None:
    first_lines = README.read_text().splitlines()[:6]
    assert any(line.startswith("make dev") for line in first_lines)
    assert any(line.startswith("make test") for line in first_lines)


def test_the_contract_lives_in_the_repository_and_names_every_error_code() -> None:
    from billfold.errors import ErrorCode

    contract = (README.parent / "docs" / "api.md").read_text()

    assert "../shared" not in README.read_text()
    assert [code for code in ErrorCode if f"`{code}`" not in contract] == []
