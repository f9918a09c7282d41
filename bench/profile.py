"""Server time of one request alone, page by page, with its SQL (a tool for perf work).

    DATABASE_URL=... DJANGO_SETTINGS_MODULE=bench.settings python -m bench.profile [page ...]

For each page of bench.pages and each counted user: median time of 15 requests (test
client, warm), SQL count and SQL time, then the five slowest SQL statements. With
`--cprofile`, the 40 costliest functions (cumulative time) of 10 more requests, for each
page and user measured.
"""

import cProfile
import pstats
import statistics
import sys
import time

import django


def main() -> None:
    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import User
    from bench import pages

    wanted = [a for a in sys.argv[1:] if not a.startswith("--")]
    profile = "--cprofile" in sys.argv
    users = {u.username: u for u in User.objects.filter(username__in=pages.COUNTED_USERS)}
    for page in pages.PAGES:
        if wanted and page.key not in wanted:
            continue
        if not page.available():
            continue
        for name in pages.COUNTED_USERS:
            page_urls = pages.count_urls_for(page, users[name])
            if not page_urls:
                continue
            url = page_urls[0]
            client = Client()
            client.force_login(users[name], backend="django.contrib.auth.backends.ModelBackend")
            client.get(url)
            times = []
            for _ in range(15):
                started = time.perf_counter()
                client.get(url)
                times.append((time.perf_counter() - started) * 1000)
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url)
            sql = [(float(q["time"]) * 1000, q["sql"]) for q in captured.captured_queries]
            print(
                f"{page.key:14} {name:22} {statistics.median(times):6.1f} ms  "
                f"{len(sql):3} SQL {sum(t for t, _ in sql):6.1f} ms  HTTP {response.status_code} {url}"
            )
            for t, q in sorted(sql, reverse=True)[:5]:
                print(f"      {t:6.1f} ms  {q[:160]}")
            if profile:
                profiler = cProfile.Profile()
                profiler.enable()
                for _ in range(10):
                    client.get(url)
                profiler.disable()
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)


if __name__ == "__main__":
    main()
