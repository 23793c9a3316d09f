# JXC web / worker / beat image. Build: docker compose build
FROM python:3.12-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

RUN apt-get update \
    && apt-get install -y --no-install-recommends postgresql-client curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 1000 jxc

WORKDIR /app
COPY pyproject.toml README.md ./
RUN mkdir -p jxc apps && pip install .
COPY . .
RUN JXC_PRODUCTION=1 SECRET_KEY=build-only-collectstatic ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput -v0 \
    && mkdir -p var/media var/backups && chown -R jxc:jxc var

USER jxc
EXPOSE 8000
CMD ["gunicorn", "jxc.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
