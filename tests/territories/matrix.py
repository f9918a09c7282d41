from tests.matrix import ADMIN_ONLY, EVERYONE, Case

CASES = [
    Case("territories:search", expect=EVERYONE),
    Case("territories:import_start", expect=ADMIN_ONLY),
    Case("territories:import_detail", args=lambda w: [w.import_run.pk], expect=ADMIN_ONLY),
    Case(
        "territories:import_retry",
        method="post",
        args=lambda w: [w.import_run.pk],
        expect=ADMIN_ONLY,
    ),
]
