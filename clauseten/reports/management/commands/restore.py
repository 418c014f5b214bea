"""`clauseten restore FILE`: into an empty, migrated database of the same version; all or nothing."""

from django.core.management.base import BaseCommand, CommandError

from clauseten.reports.backup import RestoreRefused, restore


class Command(BaseCommand):
    help = "Restore a backup archive into an EMPTY migrated database (same version). Refuses otherwise."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The archive written by `clauseten backup`.")

    def handle(self, *args, file, **options):
        try:
            result = restore(file)
        except RestoreRefused as refused:
            raise CommandError(f"restore refused: {refused}", returncode=1) from None
        self.stdout.write(f"{file}: restored {sum(result['counts'].values())} records and {result['files']} files; "
                          f"{result['chain']}")
        if not result["with_passwords"]:
            self.stdout.write("The archive had no password hashes: users sign in after a password reset.")
