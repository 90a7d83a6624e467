"""Git facts against real repositories made with the git CLI in tmp_path."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from mllint.project import git as git_facts
from mllint.project.git import collect_git_facts, ignored, relative_posix

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="the git executable is not installed")

MIB = 1024 * 1024


@pytest.fixture(autouse=True)
def isolated_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep the user's global git config out, and stop git looking above tmp_path."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "no-global-gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "-c", "init.defaultBranch=main", "init", "-q")
    git(root, "config", "user.name", "Test")
    git(root, "config", "user.email", "test@example.com")
    git(root, "config", "commit.gpgsign", "false")
    return root


def write(path: Path, data: bytes | str = b"x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)
    return path


def commit_all(repo: Path) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "snapshot")


def test_committed_file_size_is_the_blob_size(repo: Path) -> None:
    write(repo / "data" / "train.csv", b"\1" * (2 * MIB))
    write(repo / "train.py", "print('hi')\n")
    commit_all(repo)

    facts = collect_git_facts(repo)

    assert facts is not None
    assert facts.top == repo.resolve()
    assert facts.tracked_sizes == {"data/train.csv": 2 * MIB, "train.py": 12}
    assert facts.is_tracked("data/train.csv")
    assert facts.size("data/train.csv") == 2 * MIB


def test_added_but_uncommitted_file_is_tracked_with_its_size(repo: Path) -> None:
    write(repo / "first.txt", "one\n")
    commit_all(repo)
    write(repo / "model.pkl", b"\0" * 3000)
    git(repo, "add", "model.pkl")

    facts = collect_git_facts(repo)

    assert facts is not None
    assert facts.is_tracked("model.pkl")
    assert facts.size("model.pkl") == 3000


def test_untracked_file_is_not_tracked(repo: Path) -> None:
    write(repo / "kept.txt", "kept\n")
    commit_all(repo)
    write(repo / "scratch.csv", "a,b\n")

    facts = collect_git_facts(repo)

    assert facts is not None
    assert not facts.is_tracked("scratch.csv")
    assert facts.size("scratch.csv") is None
    assert facts.is_tracked("kept.txt")


def test_repository_without_commits(repo: Path) -> None:
    empty = collect_git_facts(repo)
    assert empty is not None
    assert empty.tracked_sizes == {}
    assert empty.lfs == frozenset()

    write(repo / "staged.npy", b"\2" * 1234)
    git(repo, "add", "staged.npy")
    staged = collect_git_facts(repo)
    assert staged is not None
    assert staged.tracked_sizes == {"staged.npy": 1234}


def test_folder_outside_a_work_tree_has_no_facts(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    write(plain / "data.csv", "a\n")

    assert collect_git_facts(plain) is None
    assert ignored(plain, ["data.csv"]) == set()


def test_missing_git_executable_means_no_facts(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sub = repo / "not-asked-before"
    sub.mkdir()
    monkeypatch.setenv("PATH", "")

    assert collect_git_facts(sub) is None


def test_subfolder_resolves_to_the_work_tree_root(repo: Path) -> None:
    write(repo / "src" / "pkg" / "mod.py", "x = 1\n")
    commit_all(repo)

    facts = collect_git_facts(repo / "src" / "pkg")

    assert facts is not None
    assert facts.top == repo.resolve()
    assert facts.is_tracked("src/pkg/mod.py")


def test_paths_given_in_other_spellings_are_recognised(repo: Path) -> None:
    write(repo / "data" / "a.csv", "a\n")
    commit_all(repo)
    facts = collect_git_facts(repo)
    assert facts is not None

    assert facts.is_tracked("./data/a.csv")
    assert facts.is_tracked(repo / "data" / "a.csv")
    assert facts.is_tracked(str(repo.resolve() / "data" / "a.csv"))
    assert not facts.is_tracked("data")
    assert not facts.is_tracked("/elsewhere/data/a.csv")


def test_lfs_attribute_is_read_without_git_lfs(repo: Path) -> None:
    write(repo / ".gitattributes", "*.pt filter=lfs diff=lfs merge=lfs -text\n")
    write(repo / "model.pt", b"\3" * 100)
    write(repo / "weights.bin", b"\4" * 100)
    commit_all(repo)

    facts = collect_git_facts(repo)

    assert facts is not None
    assert facts.lfs == frozenset({"model.pt"})
    assert facts.is_lfs("model.pt")
    assert not facts.is_lfs("weights.bin")


def test_names_with_spaces_and_unicode(repo: Path) -> None:
    write(repo / ".gitattributes", "*.onnx filter=lfs diff=lfs merge=lfs -text\n")
    write(repo / ".gitignore", "*.tmp\n")
    spaced = "data dir/données brutes.csv"
    write(repo / spaced, b"\5" * 4321)
    write(repo / "modèles/réseau final.onnx", b"\6" * 10)
    commit_all(repo)
    write(repo / "data dir/cache ü.tmp", "tmp\n")

    facts = collect_git_facts(repo)

    assert facts is not None
    assert facts.size(spaced) == 4321
    assert facts.lfs == frozenset({"modèles/réseau final.onnx"})
    assert ignored(repo, ["data dir/cache ü.tmp", spaced]) == {"data dir/cache ü.tmp"}


def test_ignored_reports_only_ignored_paths(repo: Path) -> None:
    write(repo / ".gitignore", "*.log\nbuild/\n")
    write(repo / "run.log", "log\n")
    write(repo / "build" / "out.bin", b"\7")
    write(repo / "train.py", "pass\n")

    result = ignored(repo, ["run.log", "build/out.bin", "train.py", "never-created.log"])

    assert result == {"run.log", "build/out.bin", "never-created.log"}


def test_ignored_returns_the_callers_spelling(repo: Path) -> None:
    write(repo / ".gitignore", "*.log\n")
    absolute = str(repo / "run.log")

    assert ignored(repo, [absolute, "./run.log"]) == {absolute, "./run.log"}


def test_ignored_with_nothing_ignored_is_empty(repo: Path) -> None:
    write(repo / "train.py", "pass\n")

    assert ignored(repo, ["train.py"]) == set()
    assert ignored(repo, []) == set()


def test_tracked_file_matching_gitignore_is_not_ignored(repo: Path) -> None:
    write(repo / ".gitignore", "*.csv\n")
    write(repo / "committed.csv", "a\n")
    git(repo, "add", "-f", "committed.csv")
    write(repo / "loose.csv", "b\n")

    assert ignored(repo, ["committed.csv", "loose.csv"]) == {"loose.csv"}


def test_paths_git_would_reject_do_not_spoil_the_batch(repo: Path, tmp_path: Path) -> None:
    write(repo / ".gitignore", "*.log\n")
    (repo / "real").mkdir()
    (repo / "link").symlink_to(repo / "real")

    result = ignored(repo, ["../outside.log", str(tmp_path / "elsewhere.log"), "link/x.log", "a.log"])

    assert result == {"a.log"}


def test_git_processes_do_not_grow_with_file_count(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for index in range(60):
        write(repo / f"data/part-{index}.csv", f"{index}\n")
    commit_all(repo)
    calls: list[tuple[str, ...]] = []
    real_run_git = git_facts.run_git

    def counting_run_git(cwd: Path, *args: str, stdin: str | None = None) -> str:
        calls.append(args)
        return real_run_git(cwd, *args, stdin=stdin)

    monkeypatch.setattr(git_facts, "run_git", counting_run_git)

    facts = collect_git_facts(repo)
    ignored(repo, [f"data/part-{index}.csv" for index in range(60)])

    assert facts is not None and len(facts.tracked_sizes) == 60
    assert len(calls) <= 6  # the work-tree lookup, then at most five batched questions


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("a/b.csv", "a/b.csv"),
        ("./a//b.csv", "a/b.csv"),
        ("a/../b.csv", "b.csv"),
        ("../b.csv", None),
        ("", None),
    ],
)
def test_relative_posix_normalises_relative_paths(given: str, expected: str | None, tmp_path: Path) -> None:
    assert relative_posix(given, tmp_path) == expected


def test_relative_posix_handles_absolute_paths(tmp_path: Path) -> None:
    assert relative_posix(tmp_path / "x" / "y.pt", tmp_path) == "x/y.pt"
    assert relative_posix("/definitely/elsewhere.pt", tmp_path) is None
