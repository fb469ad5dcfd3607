# Broadsheet API image: the package built as a wheel, installed into a slim runtime image,
# run by an unprivileged user. Point it at PostgreSQL (and optionally Redis) with DATABASE_URL
# and REDIS_URL; run `broadsheet db upgrade` as a deploy step before rolling out new replicas
# (deploy/compose.yaml does). The embedded PostgreSQL (the `embedded` extra) is for development
# and is not installed here; OpenTelemetry (`otel`) is, for OTEL_EXPORTER_OTLP_ENDPOINT.

FROM python:3.12-slim AS build
WORKDIR /src
COPY pyproject.toml README.md alembic.ini requirements.lock ./
COPY api ./api
COPY schema ./schema
COPY alembic ./alembic
# The tested versions (requirements.lock), not whatever was released this morning.
RUN pip wheel --no-cache-dir --constraint requirements.lock --wheel-dir /wheels '.[otel]'

FROM python:3.12-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    BROADSHEET_ENV=production
RUN useradd --system --create-home --uid 10001 broadsheet
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-index /wheels/*.whl && rm -rf /wheels
USER broadsheet
WORKDIR /home/broadsheet
EXPOSE 8000
# uvicorn finishes in-flight requests on SIGTERM (BROADSHEET_SHUTDOWN_TIMEOUT_SECONDS).
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz').status != 200)"
CMD ["broadsheet", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
