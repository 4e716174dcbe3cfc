"""A campaign's year (*đợt đánh giá*): creation, copy from last year, the lifecycle and its
guards, publication. ``flask --app wsgi campaign …`` is :mod:`survey_app.campaigns.cli`."""
