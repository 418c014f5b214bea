"""The `clauseten` command: Django's management commands under friendlier names.

    clauseten serve [ADDR:PORT]   run the web server (development server; use gunicorn for many users)
    clauseten migrate             create or update the database
    clauseten demo                load the demo organisation
    clauseten verify-events       check the history's hash chain
    clauseten worker              run background tasks and the periodic tick (reminders, mail, webhooks)
    clauseten tick                run the periodic follow-up once (what the worker does every minute)
    clauseten backup FILE [--with-passwords]   everything in one ZIP (records, history, users, evidence)
    clauseten restore FILE        restore a backup into an empty database (all or nothing)
    clauseten generate --ncs N    fill the database with N realistic nonconformities (for benchmarks)
    clauseten <any manage.py command>
"""

import os
import sys

ALIASES = {
    "serve": ["runserver", "--noreload"],
}


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clauseten.settings")
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help", "help"}:
        print(__doc__.strip())
        if not args:
            sys.exit(2)
        return
    command, rest = args[0], args[1:]
    expanded = ALIASES.get(command, [command.replace("-", "_")])
    from django.core.management import execute_from_command_line

    execute_from_command_line(["clauseten", *expanded, *rest])


if __name__ == "__main__":
    main()
