"""`damascus-ie labelstudio serve|push|pull|agreement|review`: the contributor's path through Label Studio."""

from __future__ import annotations

import argparse
import os
import secrets
from pathlib import Path

from damascus_ie.cli.serving import in_foreground
from damascus_ie.core.io import load_gold, seed_texts
from damascus_ie.core.paths import pull_file, repo_root
from damascus_ie.core.problems import InvalidInput, Problem
from damascus_ie.dataset.changelog import BUMP_LEVELS
from damascus_ie.labelstudio.client import DEFAULT_TITLE, KEY_VAR, URL_VAR, correction_title


def _data_dir(args: argparse.Namespace) -> Path:
    default = Path.home() / ".local" / "share" / "damascus-ie" / "label-studio"
    return Path(args.data_dir or os.environ.get("DAMASCUS_IE_LS_DATA") or default)


def serve(args: argparse.Namespace) -> int:
    """Runs a local server in the foreground until Ctrl-C; secrets are shown on the terminal only, never stored."""
    from damascus_ie.labelstudio.server import DATABASE, DEFAULT_USERNAME, LOG_NAME, Credentials, start_server

    data_dir = _data_dir(args)
    first_start = not (data_dir / DATABASE).exists()
    credentials = Credentials(os.environ.get("LABEL_STUDIO_USERNAME", DEFAULT_USERNAME),
                              os.environ.get("LABEL_STUDIO_PASSWORD") or secrets.token_urlsafe(12),
                              os.environ.get(KEY_VAR) or secrets.token_hex(20))
    print(f"Starting Label Studio on 127.0.0.1 (data in {data_dir}; the first start migrates, ~30-60 s) ...",
          flush=True)
    server = start_server(data_dir, credentials, port=args.port)

    def session() -> None:
        print(f"\nLabel Studio is running at {server.url} (PID {server.pid}, log {data_dir / LOG_NAME})\n"
              f"  log in as {credentials.username}")
        if first_start:
            print(f"  password: {credentials.password}\n  API key:  {credentials.token}\n"
                  "  (shown once, stored nowhere by damascus-ie; the API key is also under Account & Settings)")
        else:
            print("  password and API key: the ones shown on the first start (API key also under Account & Settings)")
        print(f"\nIn another terminal:\n  export {URL_VAR}={server.url}\n  export {KEY_VAR}=<API key>\n"
              f"  damascus-ie labelstudio push                          # gold as pre-annotations ({DEFAULT_TITLE!r})\n"
              f"  damascus-ie labelstudio push --from-extractor spacy   # an extractor's output "
              f"({correction_title('spacy')!r})\n"
              "In the browser: set your name (avatar -> Account & Settings; the CHANGELOG credits it), invite others\n"
              "(menu -> Organization -> Add Members -> Copy link), annotate with Label All Tasks, then\n"
              "`damascus-ie labelstudio pull` (see CONTRIBUTING.md).\n"
              "Ctrl-C stops the server.", flush=True)

    return in_foreground(server, "Label Studio", session)


def _project(args: argparse.Namespace) -> str:
    """--project, else the review project, or for --from-extractor its own correction project (where it pre-fills)."""
    if args.project:
        return str(args.project)
    extractor = getattr(args, "from_extractor", None)
    return correction_title(extractor) if extractor else DEFAULT_TITLE


def push(args: argparse.Namespace) -> int:
    from damascus_ie.labelstudio.client import connect
    from damascus_ie.labelstudio.push import correction_documents, pre_annotations, push

    version, docs = load_gold(repo_root())
    if args.from_extractor:
        predicted = correction_documents(args.from_extractor, docs)
        results, model_version = pre_annotations(predicted, gold=False), f"extractor-{args.from_extractor}"
    else:
        results, model_version = pre_annotations(docs, gold=True), f"gold-{version}"
    report = push(connect(), docs, results, model_version, _project(args))
    print(f"{_project(args)!r}: {report.summary()}")
    return 0


def pull(args: argparse.Namespace) -> int:
    from damascus_ie.labelstudio.client import annotator_names, connect, export_tasks, find_project
    from damascus_ie.labelstudio.pull import convert_export, write_pull

    ls, title, root = connect(), _project(args), repo_root()
    project = find_project(ls, title)
    if project is None:
        raise InvalidInput([Problem(URL_VAR, None, None, "project", f"no project titled {title!r}: push first")])
    result = convert_export(export_tasks(ls, project.id), annotator_names(ls), seed_texts(root), load_gold(root)[1])
    output = Path(args.output or root / pull_file(title))
    write_pull(output, result, title)
    print(f"{result.summary()}; valid ones written to {output}")
    for problem in result.problems:
        print(f"  - {problem}")
    return 2 if result.problems else 0


def agreement(args: argparse.Namespace) -> int:
    from damascus_ie.labelstudio.agreement import pairwise_agreement
    from damascus_ie.labelstudio.pull import read_pull

    rows = pairwise_agreement(read_pull(_pull_path(args), seed_texts(repo_root())))
    for row in rows:
        print(row.row())
    if not rows:
        print("no document has annotations from two annotators yet")
    return 0


def review(args: argparse.Namespace) -> int:
    from damascus_ie.labelstudio.pull import read_pull
    from damascus_ie.labelstudio.review import review

    root = repo_root()
    _, gold = load_gold(root)
    result = review(root, gold, read_pull(_pull_path(args), seed_texts(root)), args.accept, args.level, args.dry_run)
    print("\n".join(result.changes) if result.changes else "no label changes against the current gold")
    if result.problems:
        print(f"\nthe release would refuse this: {len(result.problems)} problem(s); nothing written")
        for problem in result.problems:
            print(f"  - {problem}")
        return 2
    if result.version:
        print(f"published dataset version {result.version} (dataset/CHANGELOG.md lists the changes)")
    elif result.changes:
        print("dry run: every check of the release passed; nothing written")
    return 0


def _pull_path(args: argparse.Namespace) -> Path:
    return Path(args.pulled or repo_root() / pull_file(_project(args)))


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("labelstudio", help="contribute and review labels in a local Label Studio")
    commands = parser.add_subparsers(dest="labelstudio_command", required=True)
    serve_parser = commands.add_parser("serve", help="start a local server (127.0.0.1, offline) until Ctrl-C")
    serve_parser.add_argument("--port", type=int, default=8080)
    serve_parser.add_argument("--data-dir", help="server data (default $DAMASCUS_IE_LS_DATA or ~/.local/share/...)")
    serve_parser.set_defaults(func=serve)
    project_help = (f"project title (default {DEFAULT_TITLE!r}; with --from-extractor NAME "
                    f"{correction_title('NAME')!r})")
    for name, func, text in (("push", push, "create/update the project and its tasks with pre-annotations"),
                             ("pull", pull, "export annotations, run every check of the release, write the valid ones")):
        sub = commands.add_parser(name, help=f"{text} ({URL_VAR}, {KEY_VAR} from the environment)")
        sub.add_argument("--project", help=project_help)
        sub.add_argument("--from-extractor", metavar="NAME", help=(
            "pre-annotate with this extractor's predictions, aligned to the gold ids (correction mode)"
            if name == "push" else "pull that extractor's correction project"))
        sub.set_defaults(func=func)
    commands.choices["pull"].add_argument("--output", help=f"pull file (default {pull_file('PROJECT')})")
    agreement_parser = commands.add_parser("agreement", help="pairwise F1 and kappa between annotators")
    agreement_parser.set_defaults(func=agreement)
    review_parser = commands.add_parser("review", help="merge accepted annotations into a new dataset version")
    review_parser.add_argument("--accept", metavar="NAME", action="append",
                               help="take this annotator's annotations (their chosen name; repeatable)")
    review_parser.add_argument("--level", choices=BUMP_LEVELS, default="minor")
    review_parser.add_argument("--dry-run", action="store_true",
                               help="run every check of the release and print the changes; write nothing")
    review_parser.set_defaults(func=review)
    for sub in (agreement_parser, review_parser):
        sub.add_argument("--project", help=f"read this project's pull file ({project_help})")
        sub.add_argument("--from-extractor", metavar="NAME", help="read that extractor's correction project's pull")
        sub.add_argument("--pulled", help=f"pull file (default {pull_file('PROJECT')})")
