"""The ``ipt-manual`` command.

Exit codes: 0 success, 1 problems in the sources, 2 wrong usage or a problem with the computer
(a folder that cannot be written, a full disk), 3 an internal error (a bug; the traceback is saved to a file).
"""

from __future__ import annotations

import argparse
import shutil
import signal
import sys
import tempfile
import time
import traceback
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .config import SiteConfig, placeholder_settings, read_conf, setting_line, validate_values
from .diff import diff_manuals
from .diff_format import FORMATS
from .environment import describe, environment_error
from .errors import Problems
from .fields import did_you_mean
from .gitrefs import GitError, export, is_branch, is_shallow, merge_base, resolve
from .lock import build_lock, remove_own_temporaries
from .printing.pools import pool_size
from .project import BUILD_DIR, GENERATED_DIR, LoadOptions, find_root, load_project
from .publish import publish, recover
from .review import inherited_units, pending, record, write_lock
from .scaffold import ScaffoldError, new_adaptation
from .strict import failed_before, record_start, record_success
from .versioning import verdicts
from .versions_site import VersionsError, build_versions

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, EXIT_BUG = 0, 1, 2, 3


class UsageError(Exception):
    pass


class Output:
    def __init__(self, quiet: bool = False, verbose: bool = False) -> None:
        self.quiet, self.verbose = quiet, verbose

    def info(self, message: str) -> None:
        if not self.quiet:
            print(message, file=sys.stderr)

    def debug(self, message: str) -> None:
        if self.verbose:
            print(message, file=sys.stderr)

    def problems(self, problems: Problems) -> None:
        for problem in problems:
            print(problem.format(), file=sys.stderr)
        print(f"{len(problems)} problem(s) found.", file=sys.stderr)


def resolve_root(args: argparse.Namespace) -> Path:
    if args.project:
        root = Path(args.project)
        if not (root / "manual").is_dir():
            raise UsageError(f"{root} is not an IPT manual project (no manual/ folder)")
        return root.resolve()
    root_found = find_root(Path.cwd())
    if root_found is None:
        raise UsageError("no IPT manual project here (looked for manual/ and conf.py); use --project DIR")
    return root_found


def site_settings(root: Path) -> tuple[dict, list[str]]:
    """The ``ipt_*`` settings of conf.py and the problems with them."""
    if not (root / "conf.py").is_file():
        return {}, []

    try:
        values = read_conf(root)
    except Exception as exc:  # a broken conf.py is a problem in the sources, not a crash
        return {}, [f"conf.py cannot be read: {exc}"]
    return values, validate_values(values, root)


def load_options(root: Path) -> LoadOptions:
    """How to load this project: built once from conf.py's validated settings (``ipt_*``).

    A broken setting stops the command with ``conf.py: message``, as the build does.
    """

    values, errors = site_settings(root)
    if errors:
        raise UsageError("; ".join(f"conf.py: {message}" for message in errors))
    names = {f"ipt_{name}" for name in SiteConfig.__dataclass_fields__}
    settings = SiteConfig(**{k[4:]: v for k, v in values.items() if k in names})
    return LoadOptions.from_settings(settings)


def load_for_site(root: Path):  # type: ignore[no-untyped-def]
    """Load the project as the site's settings say (raw HTML policy, addenda folder)."""
    _, errors = site_settings(root)
    if errors:
        project = load_project(root)
        for message in errors:
            project.problems.add(root / "conf.py", 1, message)
        return project
    return load_project(root, load_options(root))


def report_review(project, strict: bool) -> None:  # type: ignore[no-untyped-def]
    """Inherited units not yet reviewed: one line each, then how to review them, per adaptation."""
    label = "error" if strict else "warning"
    for problem in project.review:
        print(f"{problem.path}:{problem.line}: {label}: {problem.message}", file=sys.stderr)
    for manual in project.manuals:
        count = sum(f"inherited by '{manual.id}'" in p.message for p in project.review)
        if count:
            print(f"{count} inherited unit(s) not reviewed for {manual.id}: see them with 'ipt-manual review "
                  f"{manual.id} --pending --show', record them with 'ipt-manual review {manual.id} UNIT…' "
                  "(or --all)", file=sys.stderr)


def release_problems(root: Path, values: dict) -> Problems:
    """Release mode: clinic settings still holding the example values are problems, one per setting."""

    problems = Problems(root)
    for name in placeholder_settings(values):
        problems.add(root / "conf.py", setting_line(root / "conf.py", name),
                     f"{name} still holds the example value (or is empty); a release must not publish it",
                     f"set {name} in conf.py to your clinic's own details")
    return problems


def cmd_check(args: argparse.Namespace, out: Output) -> int:
    root = resolve_root(args)
    project = load_for_site(root)
    if project.review:
        report_review(project, args.strict)
    if project.problems:
        out.problems(project.problems)
        return EXIT_PROBLEMS
    if project.review and args.strict:
        print(f"{len(project.review)} inherited unit(s) not reviewed (--strict).", file=sys.stderr)
        return EXIT_PROBLEMS
    sessions = sum(len(m.sessions) for m in project.manuals)
    pending = f"; {len(project.review)} inherited unit(s) not reviewed" if project.review else ""
    out.info(f"ok: {len(project.manuals)} manual(s), {sessions} sessions, no problems{pending}")
    return EXIT_OK


def cmd_review(args: argparse.Namespace, out: Output) -> int:
    root = resolve_root(args)
    project = load_for_site(root)
    manual = next((m for m in project.manuals if m.id == args.id and m.extends), None)
    if manual is None:
        known = [m.id for m in project.manuals if m.extends]
        raise UsageError(f"no adaptation '{args.id}'; {did_you_mean(args.id, known) or 'known: ' + ', '.join(known)}")
    units = inherited_units(manual)
    for uid in args.units:
        if uid not in units:
            raise UsageError(f"'{uid}' is not a unit {manual.id} inherits; {did_you_mean(uid, list(units))}"
                             f" (list them with 'ipt-manual review {manual.id} --pending')")
    waiting = pending(manual)
    chosen = [units[u] for u in args.units] or ([p.unit for p in waiting] if args.pending or args.show else [])
    status = {p.unit.id: p.status for p in waiting}
    for unit in chosen:
        print(f"{unit.id} ({status.get(unit.id, 'reviewed')}; {unit.path}:{unit.line})")
        if args.show:
            print("\n".join(f"    {line}" for line in unit.text.split("\n")) + "\n")
    to_record = list(units) if args.all else ([] if args.pending or args.show else args.units)
    if to_record:
        path = write_lock(root / Path(manual.ref.path).parent, record(manual, to_record))
        out.info(f"recorded {len(to_record)} unit(s) as reviewed in {path.relative_to(root)}")
    elif not chosen:
        out.info(f"nothing pending for {manual.id}" if not waiting else
                 f"{len(waiting)} unit(s) pending for {manual.id}; add --pending to list them")
    return EXIT_OK


def run_sphinx(root: Path, srcdir: Path, outdir: Path, doctrees: Path, out: Output, strict: bool,
               fresh: bool = False, overrides: dict | None = None) -> int:
    """Build with Sphinx; 1 when the extension found problems in the sources (listed as path:line)."""
    from sphinx.application import Sphinx
    from sphinx.util.console import nocolor
    from sphinx.util.docutils import docutils_namespace, patch_docutils

    from .sphinx_ext.main import build_state, stop_printing

    if not sys.stderr.isatty():
        nocolor()
    srcdir.mkdir(parents=True, exist_ok=True)
    status = None if out.quiet else sys.stderr
    with patch_docutils(root), docutils_namespace():
        # the project is loaded once, by the extension, while Sphinx starts (builder-inited)
        app = Sphinx(str(srcdir), str(root), str(outdir), str(doctrees), "html",
                     status=status, warning=_SourceProblemsShownOnce(sys.stderr), freshenv=fresh,
                     warningiserror=strict, keep_going=True, verbosity=1 if out.verbose else 0,
                     parallel=pool_size(), confoverrides=overrides or {})
        problems = build_state(app).problems
        if problems:
            out.problems(problems)
            return EXIT_PROBLEMS
        if strict:
            app.config.nitpicky = True
        try:
            app.build()
        finally:
            stop_printing(app)
        return app.statuscode


class _SourceProblemsShownOnce:
    """Sphinx's warning stream without the extension's source problems: the CLI lists those itself."""

    def __init__(self, stream) -> None:  # type: ignore[no-untyped-def]
        self.stream = stream

    def write(self, text: str) -> int:
        from .sphinx_ext.main import WARNING_TYPE

        return 0 if f"[{WARNING_TYPE}.source]" in text else self.stream.write(text)

    def flush(self) -> None:
        self.stream.flush()


def cmd_build(args: argparse.Namespace, out: Output) -> int:
    root = resolve_root(args)
    started = time.monotonic()
    values, errors = site_settings(root)
    if errors:
        for message in errors:
            print(f"conf.py:1: {message}", file=sys.stderr)
        out.info("build stopped: the published site was not changed")
        return EXIT_PROBLEMS
    if getattr(args, "release", False) and (placeholders := release_problems(root, values)):
        out.problems(placeholders)
        out.info("build stopped: the published site was not changed")
        return EXIT_PROBLEMS
    build = root / BUILD_DIR
    staging = build / ".staging"

    try:
        with build_lock(build, out.info):
            return _build_locked(args, out, root, build, staging, started)
    finally:
        remove_own_temporaries(root / GENERATED_DIR, build)


def _build_locked(args: argparse.Namespace, out: Output, root: Path, build: Path, staging: Path,
                  started: float) -> int:


    recover(build / "html")  # a publish killed at the wrong moment: the last site is served again
    marker = staging / ".complete"
    if staging.exists() and not marker.exists():
        out.info("the last build did not finish; rebuilding everything")
        shutil.rmtree(staging, ignore_errors=True)
    marker.unlink(missing_ok=True)
    out.info("building with Sphinx…")
    from sphinx.errors import SphinxError


    fresh = failed_before(build)
    if fresh:
        out.info("the last build failed or was stopped; reading every page again")
    record_start(build)
    try:
        code = run_sphinx(root, root / GENERATED_DIR, staging / "html", staging / "doctrees", out,
                          not args.no_strict, fresh)
        marker.write_text("finished\n", encoding="utf-8")  # Sphinx ran to the end, whatever it found
    except SphinxError as exc:
        if getattr(exc, "orig_exc", None) is not None:
            raise
        print(f"ipt-manual: {exc}", file=sys.stderr)
        code = 1
    if code != 0:
        out.info("build failed: the published site was not changed")
        return EXIT_PROBLEMS

    copied = publish(staging / "html", build / "html")
    record_success(build)
    out.info(f"built {build / 'html'} in {time.monotonic() - started:.1f}s ({copied} file(s) published); "
             f"open {build / 'html' / 'index.html'}")
    return EXIT_OK


def cmd_new_adaptation(args: argparse.Namespace, out: Output) -> int:
    root = resolve_root(args)
    try:
        folder = new_adaptation(root, args.id, args.title, args.extends, args.short_title, load_options(root))
    except ScaffoldError as exc:
        raise UsageError(str(exc)) from exc
    out.info(f"created {folder.relative_to(root)}/ (every session inherited from {args.extends}, none of it "
             f"reviewed yet); edit adaptation.yaml, then run 'ipt-manual check' and 'ipt-manual review "
             f"{args.id} --pending'")
    return EXIT_OK


def load_side(root: Path, ref: str | None, out: Output, options: LoadOptions) -> tuple[list, str]:
    """The assembled manuals at ``ref`` (the working tree when None), and a label for it.

    Both sides are loaded with the working tree's settings (``options``): the site a reviewer gets."""

    if ref is None:
        project = load_project(root, options)
        label = "working tree"
    else:
        try:
            commit = resolve(root, ref)
            with tempfile.TemporaryDirectory(prefix="ipt-ref-") as tmp:
                export(root, commit, Path(tmp), options.source_folders)
                project = load_project(Path(tmp), options)
        except GitError as exc:
            raise UsageError(str(exc)) from exc
        label = ref
    if project.problems:
        out.problems(project.problems)
        raise SourcesBroken(f"the sources at {label} have problems; fix them first")
    return project.manuals, label


class SourcesBroken(Exception):
    pass


def compare_refs(args: argparse.Namespace, out: Output) -> tuple[list, list, str, str]:
    root = resolve_root(args)
    base_ref = args.base
    if args.merge_base or (args.merge_base is None and is_branch(root, args.base)):
        try:
            head_commit = resolve(root, args.head or "HEAD")
            base_ref = merge_base(root, resolve(root, args.base), head_commit)
        except GitError as exc:
            if "common ancestor" in str(exc) and is_shallow(root):
                raise UsageError(f"this is a shallow clone, so the merge base of '{args.base}' and "
                                 f"'{args.head or 'HEAD'}' is not in it; fetch the history with "
                                 "'git fetch --unshallow' (on CI: check out with fetch-depth: 0)") from exc
            if "common ancestor" in str(exc):
                raise UsageError(f"'{args.base}' and '{args.head or 'HEAD'}' have no common ancestor; "
                                 "use --no-merge-base to compare them directly") from exc
            raise UsageError(str(exc)) from exc
        out.debug(f"comparing against the merge base of {args.base}: {base_ref[:12]}")
    options = load_options(root)
    base, base_label = load_side(root, base_ref, out, options)
    head, head_label = load_side(root, args.head, out, options)
    if base_ref != args.base:
        base_label = f"{args.base} (merge base {base_ref[:12]})"
    return base, head, base_label, head_label


def cmd_diff(args: argparse.Namespace, out: Output) -> int:
    base, head, base_label, head_label = compare_refs(args, out)
    changes = diff_manuals(base, head)
    text = FORMATS[args.format](changes, base_label, head_label)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        out.info(f"wrote {args.output} ({len(changes)} change(s))")
    else:
        sys.stdout.write(text)
    return EXIT_OK


def cmd_check_version(args: argparse.Namespace, out: Output) -> int:
    base, head, base_label, head_label = compare_refs(args, out)
    changes = diff_manuals(base, head)
    results = verdicts(changes, {m.id: m.version for m in base}, {m.id: m.version for m in head})
    failed = [v for v in results if not v.ok]
    for v in results:
        if v in failed:
            print(f"FAIL {v.message()}", file=sys.stderr)
        elif not out.quiet:
            print(f"ok   {v.message()}", file=sys.stderr)
    if failed:
        print(f"{len(failed)} manual(s) need a version bump ({base_label} → {head_label}).", file=sys.stderr)
        return EXIT_PROBLEMS
    return EXIT_OK


def cmd_versions(args: argparse.Namespace, out: Output) -> int:
    root = resolve_root(args)

    def build_one(project: Path, outdir: Path) -> int:
        with tempfile.TemporaryDirectory(prefix="ipt-doctrees-") as doctrees:
            return run_sphinx(project, project / GENERATED_DIR, outdir, Path(doctrees), Output(quiet=True), True,
                              overrides={"ipt_versions_site": True})

    try:
        target = build_versions(root, build_one, out.info, load_options(root))
    except VersionsError as exc:
        print(f"ipt-manual: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    out.info(f"versions site in {target}; open {target / 'index.html'}")
    return EXIT_OK


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="ipt-manual", description="Build IPT manuals from protocol sources.")
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--project", metavar="DIR", help="the project folder (default: the current one)")
    common.add_argument("-q", "--quiet", action="store_true", help="print only problems")
    common.add_argument("-v", "--verbose", action="store_true", help="print Sphinx's progress too")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    check = sub.add_parser("check", parents=[common], help="validate every source; report problems as path:line")
    check.add_argument("--strict", action="store_true",
                       help="inherited text not yet reviewed for an adaptation is an error, not a warning")
    check.set_defaults(func=cmd_check)
    review = sub.add_parser("review", parents=[common],
                            help="record inherited text as read and accepted for an adaptation (inherited.lock)")
    review.add_argument("id", help="the adaptation")
    review.add_argument("units", nargs="*", metavar="UNIT", help="units to record, e.g. session-07/tasks")
    review.add_argument("--all", action="store_true", help="record every inherited unit as reviewed")
    review.add_argument("--show", action="store_true", help="print the text of the units (default: pending ones)")
    review.add_argument("--pending", action="store_true", help="list units never reviewed or changed since")
    review.set_defaults(func=cmd_review)
    build = sub.add_parser("build", parents=[common], help="build the site into _build/html")
    build.add_argument("--no-strict", action="store_true", help="do not treat Sphinx warnings as errors")
    build.add_argument("--release", action="store_true",
                       help="for publishing: refuse clinic settings that still hold the example values")
    build.set_defaults(func=cmd_build)
    new = sub.add_parser("new-adaptation", parents=[common], help="scaffold adaptations/ID that builds at once")
    new.add_argument("id", help="the adaptation's id: lower-case words joined by hyphens")
    new.add_argument("--title", help="its title (default: from the id)")
    new.add_argument("--short-title", help="its short name in badges and menus (default: the title)")
    new.add_argument("--extends", default="core", help="the manual it adapts (default: core)")
    new.set_defaults(func=cmd_new_adaptation)
    refs = argparse.ArgumentParser(add_help=False)
    refs.add_argument("base", metavar="BASE", help="git ref to compare against (a branch, tag or commit)")
    refs.add_argument("head", metavar="HEAD", nargs="?", help="git ref to compare (default: the working tree)")
    mb = refs.add_mutually_exclusive_group()
    mb.add_argument("--merge-base", dest="merge_base", action="store_true", default=None,
                    help="compare against the merge base of BASE and HEAD (default when BASE is a branch)")
    mb.add_argument("--no-merge-base", dest="merge_base", action="store_false", help="compare against BASE itself")
    diff = sub.add_parser("diff", parents=[common, refs], help="what changed for the protocol between two refs")
    diff.add_argument("--format", choices=["text", "markdown", "html", "json"], default="text")
    diff.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of the terminal")
    diff.set_defaults(func=cmd_diff)
    cv = sub.add_parser("check-version", parents=[common, refs],
                        help="fail when a manual changed without the version bump its changes need")
    cv.set_defaults(func=cmd_check_version)
    versions = sub.add_parser("versions", parents=[common],
                              help="build every released version of every manual, plus the working tree")
    versions.set_defaults(func=cmd_versions)
    return p


def _sigterm(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: Sequence[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, _sigterm)
    try:
        args = parser().parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    out = Output(args.quiet, args.verbose)
    try:
        return int(args.func(args, out))
    except UsageError as exc:
        print(f"ipt-manual: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except SourcesBroken as exc:
        print(f"ipt-manual: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    except KeyboardInterrupt:
        print("ipt-manual: interrupted; the published site was not changed", file=sys.stderr)
        return 130
    except Exception as exc:

        cause = environment_error(exc)
        if cause is not None:
            print(f"ipt-manual: {describe(cause)}", file=sys.stderr)
            return EXIT_USAGE
        with tempfile.NamedTemporaryFile("w", prefix="ipt-manual-crash-", suffix=".txt", delete=False) as fh:
            traceback.print_exc(file=fh)
        print(f"ipt-manual: internal error (this is a bug). The full traceback was saved to {fh.name}; "
              "please attach it to an issue.", file=sys.stderr)
        return EXIT_BUG


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
