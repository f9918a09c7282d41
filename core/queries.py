"""Query helpers shared by the apps."""

from collections.abc import Iterator

from django.db.models import Func, IntegerField, QuerySet, Value


def union_all_tagged(parts: list[tuple[QuerySet, tuple[str, ...]]]) -> Iterator[tuple]:
    """Read several querysets in one round trip (UNION ALL), each row prefixed with the
    index of the queryset it came from. Each part gives the same number of fields."""
    tagged = [
        queryset.order_by()
        .annotate(union_part=Value(index, IntegerField()))
        .values_list("union_part", *fields)
        for index, (queryset, fields) in enumerate(parts)
    ]
    if not tagged:
        return iter(())
    return iter(tagged[0].union(*tagged[1:], all=True) if len(tagged) > 1 else tagged[0])


class DaysBetween(Func):
    """`later - earlier` in whole days, for two date expressions, on PostgreSQL and SQLite
    (Django's date subtraction gives an interval on one and microseconds on the other)."""

    output_field = IntegerField()
    arity = 2

    def as_sql(self, compiler, connection, **extra):
        later, later_params = compiler.compile(self.source_expressions[0])
        earlier, earlier_params = compiler.compile(self.source_expressions[1])
        return f"({later} - {earlier})", [*later_params, *earlier_params]

    def as_sqlite(self, compiler, connection, **extra):
        later, later_params = compiler.compile(self.source_expressions[0])
        earlier, earlier_params = compiler.compile(self.source_expressions[1])
        return (
            f"CAST(julianday({later}) - julianday({earlier}) AS INTEGER)",
            [*later_params, *earlier_params],
        )
