"""`clauseten generate --ncs 100000`: a large, realistic register for benchmarks and load tests."""

from django.core.management.base import BaseCommand, CommandError

from clauseten.nonconformities.generate import RegisterNotEmpty, generate


class Command(BaseCommand):
    help = ("Generate nonconformities with actions and a chained history, dated over the last five years "
            "(into an empty register, unless --append).")

    def add_arguments(self, parser):
        parser.add_argument("--ncs", type=int, required=True, help="How many nonconformities to write.")
        parser.add_argument("--seed", type=int, default=0, help="Same seed, same data (default 0).")
        parser.add_argument("--years", type=int, default=5, help="Spread the records over this many years.")
        parser.add_argument("--append", action="store_true", help="Add to a register that already has records.")

    def handle(self, *args, ncs, seed, years, append, **options):
        if ncs < 1 or years < 1:
            raise CommandError("--ncs and --years must be at least 1.")
        try:
            summary = generate(ncs=ncs, seed=seed, years=years, append=append,
                               progress=lambda line: self.stderr.write(line))
        except RegisterNotEmpty as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Generated {summary}.")
