"""README is for users: the two commands and one's own video on its first screen, short, every link alive."""

import re

from conftest import REPO


def test_the_readme_starts_with_what_a_user_runs_and_links_only_what_exists():
    text = (REPO / "README.md").read_text()
    lines = text.splitlines()
    assert len(lines) <= 400, f"README.md has {len(lines)} lines: the reference belongs in docs/"
    first = "\n".join(lines[:30])
    for said in ("make demo", "make test", "paintflow new", "paintflow render"):
        assert said in first, said
    assert "make test" in (REPO / ".ci/run").read_text()  # CI runs the README's test command
    for page in [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]:
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", page.read_text()):
            assert (page.parent / target).exists(), f"{page.name} links {target}, which is not there"
