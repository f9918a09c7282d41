"""Draw an evaluation's radars as soon as it is saved, so that pages find them in the cache.

Called by the Celery task `evalimpact.tasks.warm_radars`, enqueued after commit by every
write of an evaluation (services.evaluations._store_scores). It draws what the pages will
ask for: the evaluation's own radar (its page, SVG) and the cooperation's latest pair
(the Eval'Impact page in SVG, the summary PDF and the COPIL pack in PNG). The cache key
is the plotted content (services.radar.render), so drawing twice costs nothing and a
retry is harmless.
"""

from evalimpact import selectors
from evalimpact.models import Axis, Evaluation
from evalimpact.services import radar


def warm(evaluation_id: int) -> int:
    """Number of images now in the cache for this evaluation (0 if it no longer exists)."""
    evaluation = Evaluation.objects.select_related("cooperation").filter(pk=evaluation_id).first()
    if evaluation is None:
        return 0
    axes = list(Axis.objects.filter(version_id=evaluation.catalogue_id).order_by("code"))
    radar.render(radar.radar_data(axes, [evaluation]), "svg")
    return 1 + warm_cooperation(evaluation.cooperation)


def warm_cooperation(cooperation, formats=("svg", "png")) -> int:
    """Draw the cooperation's latest pair (its Eval'Impact page in SVG, the summary PDF and
    the COPIL pack in PNG) into the cache. Number of images drawn (0: no evaluation)."""
    data = selectors.summary_for(cooperation)["radar"]
    if data is None or not data.series:
        return 0
    for fmt in formats:
        radar.render(data, fmt)
    return len(formats)
