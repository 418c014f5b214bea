"""`clauseten backup FILE [--with-passwords]`: every record, user and evidence file in one archive."""

from django.core.management.base import BaseCommand

from clauseten.reports.backup import backup


class Command(BaseCommand):
    help = "Write a backup archive (ZIP): all records, users and roles, the history and the evidence files."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Where to write the archive, e.g. clauseten-2026-05-01.zip")
        parser.add_argument("--with-passwords", action="store_true",
                            help="Include password hashes (without, restored users must reset their password).")

    def handle(self, *args, file, with_passwords, **options):
        manifest = backup(file, with_passwords=with_passwords)
        rows = sum(manifest["counts"].values())
        self.stdout.write(f"{file}: {rows} records, chain head #{manifest['chain']['seq']}, "
                          f"{'with' if with_passwords else 'without'} password hashes")
        for name in manifest["missing_files"]:
            self.stderr.write(f"warning: {name} is named by a record but missing from storage")
